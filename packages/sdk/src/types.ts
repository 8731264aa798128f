// The wire types the SDK speaks, all inferred from the contracts' TypeBox schemas (never written again here).
import type {
  ApiKeySchema,
  AuditEntrySchema,
  ChangePageSchema,
  CreateModelSchema,
  EndpointHistorySchema,
  EndpointPageSchema,
  EventPageSchema,
  FeatureConsumerStatusSchema,
  FeatureServiceListSchema,
  FeatureViewListSchema,
  InferRequestBody,
  ItemPageSchema,
  ModelMetadataSchema,
  ModelReadySchema,
  ModelSchema,
  ModelVersionSchema,
  ResultsQuerySchema,
  RolloutSchema,
  SearchRulesSchema,
  ServerMetadataSchema,
  SuggestQuerySchema,
  TenantSchema,
  TrainingRunListSchema,
  VersionMetadataSchema,
} from '@quiver/contracts';
import type { Static } from 'typebox';

export type {
  ApiKey,
  AuditEntry,
  BatchItem,
  BatchResponse,
  Change,
  CreatedKey,
  CreatedScopedKey,
  CreateKey,
  CreateRollout,
  CreateScopedKey,
  CreateTenant,
  CreateTrainingRun,
  Endpoint,
  EndpointStats,
  ExperimentResults,
  FacetValuesRequest,
  FacetValuesResponse,
  FeatureService,
  FeatureServiceInput,
  FeaturesResponse,
  FeatureView,
  FeatureViewInput,
  HistoricalFeaturesRequest,
  InferRequestBody,
  InferResponseBody,
  IngestResult,
  Item,
  ItemInput,
  MultiSearchRequest,
  MultiSearchResponse,
  OnlineFeaturesRequest,
  Problem,
  ProblemCode,
  PutEndpoint,
  PutTrainingSchedule,
  QuiverEvent,
  QuotaLimits,
  RateLimits,
  RecommendationRequest,
  RecommendationResponse,
  RecommendationScenario,
  Rollout,
  Scope,
  ScoreParts,
  SearchAnalytics,
  SearchAnalyticsQuery,
  SearchFilter,
  SearchHit,
  SearchRequest,
  SearchResponse,
  SearchStatus,
  StoredEvent,
  Suggestion,
  SuggestResponse,
  Tenant,
  TenantQuotas,
  TenantSettings,
  TenantSettingsPatch,
  TenantUsage,
  TrainerKind,
  TrainingRun,
  TrainingSchedule,
  UsageGranularity,
  UsageQuery,
  UsageReport,
} from '@quiver/contracts';

/** `{<name>: T[], nextCursor}`: the cursor pages whose schema is written inline in a route. */
export type CursorPage<Name extends string, T> = { [K in Name]: T[] } & { nextCursor: string | null };

export type TenantPage = CursorPage<'tenants', Static<typeof TenantSchema>>;
export type ApiKeyPage = CursorPage<'keys', Static<typeof ApiKeySchema>>;
export type AuditPage = CursorPage<'entries', Static<typeof AuditEntrySchema>>;
export type ModelPage = CursorPage<'models', Static<typeof ModelSchema>>;
export type ItemPage = Static<typeof ItemPageSchema>;
export type ChangePage = Static<typeof ChangePageSchema>;
export type EventPage = Static<typeof EventPageSchema>;
export type EndpointPage = Static<typeof EndpointPageSchema>;
export type EndpointHistory = Static<typeof EndpointHistorySchema>;
export type ResultsQuery = Static<typeof ResultsQuerySchema>;
export type FeatureViewList = Static<typeof FeatureViewListSchema>;
export type FeatureServiceList = Static<typeof FeatureServiceListSchema>;
export type FeatureConsumerStatus = Static<typeof FeatureConsumerStatusSchema>;
export type CreateModel = Static<typeof CreateModelSchema>;
export type Model = Static<typeof ModelSchema>;
export type ModelVersion = Static<typeof ModelVersionSchema>;
export type VersionMetadata = Static<typeof VersionMetadataSchema>;
export type ModelMetadata = Static<typeof ModelMetadataSchema>;
export type ModelReady = Static<typeof ModelReadySchema>;
export type ServerMetadata = Static<typeof ServerMetadataSchema>;
export type SearchRules = Static<typeof SearchRulesSchema>;
export type SuggestQuery = Static<typeof SuggestQuerySchema>;
export type RolloutList = { rollouts: Static<typeof RolloutSchema>[] };
export type ModelVersionList = { versions: ModelVersion[] };
export type TrainingRunList = Static<typeof TrainingRunListSchema>;

/**
 * An OIP infer body. `parameters` is open on the wire (the schema allows any extra member): `userId` or
 * `sessionId` (an endpoint's routing unit), `entities` (feature inputs by id) and the protocol's own.
 */
export type InferRequest = Omit<InferRequestBody, 'parameters'> & {
  parameters?: NonNullable<InferRequestBody['parameters']> & Record<string, unknown>;
};

// The shapes below have no contract schema: the server declares Triton's extension bodies (and the demo
// status) open or inline, so they are written here once, as the server's statistics, model-config and
// repository code and the demo module produce them.

/** A count and the total nanoseconds of what was counted (Triton's StatisticDuration). */
export interface OipDuration {
  count: number;
  ns: number;
}

/** One version's serving statistics, in the shape of Triton's statistics extension. */
export interface OipModelStatistics {
  name: string;
  version: string;
  /** Epoch milliseconds of the last request answered, 0 before any. */
  last_inference: number;
  inference_count: number;
  execution_count: number;
  inference_stats: Record<
    | 'success'
    | 'fail'
    | 'queue'
    | 'compute_input'
    | 'compute_infer'
    | 'compute_output'
    | 'cache_hit'
    | 'cache_miss',
    OipDuration
  >;
  batch_stats: {
    batch_size: number;
    compute_input: OipDuration;
    compute_infer: OipDuration;
    compute_output: OipDuration;
  }[];
}

export interface OipStatistics {
  model_stats: OipModelStatistics[];
}

export interface OipTensorConfig {
  name: string;
  data_type: string;
  dims: number[];
}

/** A version's configuration as Triton writes it (model configuration extension). */
export interface OipModelConfig {
  name: string;
  platform: string;
  backend: string;
  version_policy: { specific: { versions: number[] } };
  /** 0: the model does not batch. */
  max_batch_size: number;
  input: OipTensorConfig[];
  output: OipTensorConfig[];
  dynamic_batching?: {
    max_queue_delay_microseconds: number;
    default_queue_policy: {
      timeout_action: string;
      default_timeout_microseconds: number;
      allow_timeout_override: boolean;
      max_queue_size: number;
    };
  };
  instance_group: { name: string; kind: string; count: number }[];
  response_cache?: { enable: boolean };
}

/** A model version in the repository index (Triton's model repository extension). */
export interface OipRepositoryEntry {
  name: string;
  /** Empty for a model without versions. */
  version: string;
  state: 'READY' | 'LOADING' | 'UNAVAILABLE';
  reason: string;
}

/** `GET /v1/demo`: the demo shop's bootstrap. */
export interface DemoStatus {
  status: 'loading' | 'ready' | 'failed' | 'off' | (string & {});
  step?: string;
  done: { step: string; atS: number }[];
  error?: string;
}
