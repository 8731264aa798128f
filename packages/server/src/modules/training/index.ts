// The training module's public surface: the pure trainers and evaluation (offline.ts, also exported to the
// CLI as @quiver/server/training), and training runs: service, routes, migrations.
import type { ModuleLog, QuiverModule } from '../../kernel/index.ts';
import { trainingRoutes } from './routes.ts';
import {
  createTrainingService,
  type TrainingDeps,
  type TrainingOptions,
  type TrainingService,
} from './service.ts';

export { contentModel, type ItemVectors } from './content.ts';
export { type EvaluateOptions, rankingMetrics } from './evaluate.ts';
export { EVENT_WEIGHTS } from './interactions.ts';
export { trainingMigrations } from './migrations.ts';
export { scoreContext, type TrainedModel } from './model.ts';
export type { NeighbourTable } from './neighbour-table.ts';
export * from './offline.ts';
export { decidePromotion, GATE_METRIC, type Promotion } from './publish.ts';
export { trainingRoutes } from './routes.ts';
export {
  createTrainingService,
  type TrainingDeps,
  type TrainingOptions,
  type TrainingService,
} from './service.ts';
export { type OfflineRun, offlineRun } from './trainers.ts';

export interface TrainingModuleDeps extends Omit<TrainingDeps, 'onError'> {
  log: ModuleLog;
}

/** Training runs and schedules; starts the tick timer (synchronously), and on close interrupts the run in progress (queued again). */
export const createTrainingModule = (
  { log, ...deps }: TrainingModuleDeps,
  options: TrainingOptions,
): QuiverModule<TrainingService> => {
  const training = createTrainingService(
    { ...deps, onError: (err, what) => log.warn({ err }, what) },
    options,
  );
  return {
    service: training,
    routes: trainingRoutes(training),
    work: () => training.start(),
    close: () => training.close(),
  };
};
