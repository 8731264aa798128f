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
  OnlineFeaturesRequest,
  Problem,
  ProblemCode,
  PutEndpoint,
  PutTrainingSchedule,
  QuiverEvent,
  RateLimits,
  RecommendationRequest,
  RecommendationResponse,
  RecommendationScenario,
  Rollout,
  Scope,
  ScoreParts,
  SearchFilter,
  SearchHit,
  SearchRequest,
  SearchResponse,
  StoredEvent,
  Tenant,
  TrainerKind,
  TrainingRun,
  TrainingSchedule,
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
