// The training module's pure surface for tools outside the server (the CLI's `eval recommend`, benchmarks):
// interactions, trainers, offline evaluation, comparison and tuning; no I/O, no server dependencies.
export { type AlsParams, DEFAULT_ALS, trainAls } from './als.ts';
export {
  DEFAULT_BOOTSTRAP_SAMPLES,
  type Interval,
  pairedBootstrap,
  quantile,
} from './bootstrap.ts';
export {
  ALWAYS_TUNED,
  COMPARED_KINDS,
  type ComparedKind,
  type Comparison,
  compareOnSplit,
  compareTrainers,
  DEFAULT_VALIDATION_DAYS,
  type ParamsByKind,
  TUNING_GRID,
  type TuneOptions,
  tune,
} from './compare.ts';
export { contentModel, type ItemVectors } from './content.ts';
export { type ContentItem, contentTokens, DEFAULT_TEXT_DIM, textVectors } from './content-text.ts';
export { type CooccurrenceParams, DEFAULT_COOCCURRENCE, trainCooccurrence } from './cooccurrence.ts';
export {
  evaluate,
  evaluateUsers,
  type OfflineMetrics,
  type PerUser,
  SKIP_REASONS,
  type SkipReason,
  type UserEvaluation,
} from './evaluate.ts';
export {
  createInteractionsBuilder,
  type InteractionEvent,
  type Interactions,
  interactionsOf,
  splitAt,
} from './interactions.ts';
export { DEFAULT_POPULARITY, trainPopularity } from './popularity.ts';
export { blendNeighbours, DEFAULT_SEQUENCE, type SequenceParams, trainSequence } from './sequence.ts';
export { heldOut, perUserSplit, type Split, type SplitSpec, splitOf, subset, validationOf } from './split.ts';
export { DEFAULT_PARAMS, EVALUATION, fit } from './trainers.ts';
