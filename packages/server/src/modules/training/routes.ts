// HTTP routes of recommender training under /v1/trainers: runs (on demand) and per-kind schedules.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateTrainingRunSchema,
  ERROR_RESPONSES,
  PutTrainingScheduleSchema,
  TrainerKindSchema,
  TrainingRunListQuerySchema,
  TrainingRunListSchema,
  TrainingRunSchema,
  TrainingScheduleSchema,
} from '@quiver/contracts';
import { Type } from 'typebox';
import { tenantOf } from '../../http/index.ts';
import type { TrainingService } from './service.ts';

const write = { access: { scope: 'models:write' as const } };
const read = { access: { scope: 'models:read' as const } };
const tags = ['training'];
const errors = ERROR_RESPONSES;
const KindParams = Type.Object({ kind: TrainerKindSchema });
const RunParams = Type.Object({ id: Type.String({ pattern: '^trn_[A-Za-z0-9_-]{1,40}$' }) });
const DEFAULT_LIST_LIMIT = 20;

export const trainingRoutes =
  (service: TrainingService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/trainers/:kind/runs',
      {
        config: write,
        schema: {
          tags,
          summary: 'Start a training run: read the events, train, evaluate on a time split, publish',
          params: KindParams,
          body: CreateTrainingRunSchema,
          response: { 202: TrainingRunSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(202)
          .send(await service.createRun(tenantOf(request), request.params.kind, request.body ?? {})),
    );
    app.get(
      '/v1/trainers/runs/:id',
      {
        config: read,
        schema: { tags, params: RunParams, response: { 200: TrainingRunSchema, ...errors } },
      },
      async (request) => service.getRun(tenantOf(request), request.params.id),
    );
    app.get(
      '/v1/trainers/runs',
      {
        config: read,
        schema: {
          tags,
          summary: 'Recent runs, newest first (automatic retraining decisions: ?trigger=events or schedule)',
          querystring: TrainingRunListQuerySchema,
          response: { 200: TrainingRunListSchema, ...errors },
        },
      },
      async (request) => ({
        runs: await service.listRuns(
          tenantOf(request),
          { kind: request.query.kind, trigger: request.query.trigger },
          request.query.limit ?? DEFAULT_LIST_LIMIT,
        ),
      }),
    );
    app.put(
      '/v1/trainers/:kind/schedule',
      {
        config: write,
        schema: {
          tags,
          summary:
            'Retrain this kind automatically every N hours and/or after N new events (replaces the schedule; counts start now)',
          params: KindParams,
          body: PutTrainingScheduleSchema,
          response: { 200: TrainingScheduleSchema, ...errors },
        },
      },
      async (request) => service.putSchedule(tenantOf(request), request.params.kind, request.body),
    );
    app.get(
      '/v1/trainers/:kind/schedule',
      {
        config: read,
        schema: { tags, params: KindParams, response: { 200: TrainingScheduleSchema, ...errors } },
      },
      async (request) => service.getSchedule(tenantOf(request), request.params.kind),
    );
    app.delete(
      '/v1/trainers/:kind/schedule',
      {
        config: write,
        schema: { tags, params: KindParams, response: { 204: Type.Null(), ...errors } },
      },
      async (request, reply) => {
        await service.deleteSchedule(tenantOf(request), request.params.kind);
        return reply.code(204).send(null);
      },
    );
  };
