// Recommender training runs and schedules: /v1/trainers.
import { type CallOptions, path, type Transport } from '../transport.ts';
import type {
  CreateTrainingRun,
  PutTrainingSchedule,
  TrainerKind,
  TrainingRun,
  TrainingRunList,
  TrainingSchedule,
} from '../types.ts';

export const trainersResource = (t: Transport) => ({
  /** Queues a run (202); poll `runs.get` until it has succeeded or failed. */
  run: (kind: TrainerKind, run: CreateTrainingRun = {}, o?: CallOptions) =>
    t.call<TrainingRun>({ method: 'POST', path: path`/v1/trainers/${kind}/runs`, json: run }, o),
  runs: {
    get: (id: string, o?: CallOptions) =>
      t.call<TrainingRun>({ method: 'GET', path: path`/v1/trainers/runs/${id}` }, o),
    /** The newest runs first (at most `limit`, 200). */
    list: ({ kind, limit, ...o }: CallOptions & { kind?: TrainerKind; limit?: number } = {}) =>
      t.call<TrainingRunList>({ method: 'GET', path: '/v1/trainers/runs', query: { kind, limit } }, o),
  },
  schedule: {
    put: (kind: TrainerKind, schedule: PutTrainingSchedule, o?: CallOptions) =>
      t.call<TrainingSchedule>(
        { method: 'PUT', path: path`/v1/trainers/${kind}/schedule`, json: schedule },
        o,
      ),
    get: (kind: TrainerKind, o?: CallOptions) =>
      t.call<TrainingSchedule>({ method: 'GET', path: path`/v1/trainers/${kind}/schedule` }, o),
    delete: (kind: TrainerKind, o?: CallOptions) =>
      t.call<void>({ method: 'DELETE', path: path`/v1/trainers/${kind}/schedule` }, o),
  },
});
