// The training module's pure surface for tools outside the server (the CLI's `eval recommend`, benchmarks):
// interactions, trainers, offline evaluation, comparison and tuning; no I/O, no server dependencies.
export { type AlsParams, DEFAULT_ALS, trainAls } from './als.ts';
export {
  COMPARED_KINDS,
  type ComparedKind,
  type Comparison,
  compareTrainers,
  DEFAULT_VALIDATION_DAYS,
  type ParamsByKind,
  TUNING_GRID,
  tune,
} from './compare.ts';
export { type CooccurrenceParams, DEFAULT_COOCCURRENCE, trainCooccurrence } from './cooccurrence.ts';
export { evaluate, type OfflineMetrics } from './evaluate.ts';
export {
  createInteractionsBuilder,
  type InteractionEvent,
  type Interactions,
  interactionsOf,
  splitAt,
} from './interactions.ts';
export { DEFAULT_POPULARITY, trainPopularity } from './popularity.ts';
export { DEFAULT_PARAMS, EVALUATION, fit } from './trainers.ts';
