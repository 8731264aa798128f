// The training module's public surface: trainers, offline evaluation and (in service.ts) training runs.
export { type AlsParams, DEFAULT_ALS, type Factors, trainAls } from './als.ts';
export { contentModel, type ItemVectors } from './content.ts';
export {
  type CooccurrenceParams,
  DEFAULT_COOCCURRENCE,
  type NeighbourTable,
  trainCooccurrence,
} from './cooccurrence.ts';
export { type EvaluateOptions, evaluate, type OfflineMetrics, rankingMetrics } from './evaluate.ts';
export {
  createInteractionsBuilder,
  EVENT_WEIGHTS,
  type InteractionEvent,
  type Interactions,
  interactionsOf,
  splitAt,
} from './interactions.ts';
export { trainingMigrations } from './migrations.ts';
export { scoreContext, type TrainedModel } from './model.ts';
export { DEFAULT_POPULARITY, type PopularityParams, trainPopularity } from './popularity.ts';
export { decidePromotion, GATE_METRIC, type Promotion } from './publish.ts';
export { trainingRoutes } from './routes.ts';
export {
  createTrainingService,
  type TrainingDeps,
  type TrainingOptions,
  type TrainingService,
} from './service.ts';
export { DEFAULT_PARAMS, EVALUATION, fit, type OfflineRun, offlineRun } from './trainers.ts';
