// Wire shapes of the feature store: feature view and feature service definitions, online and historical reads.
import { type Static, Type } from 'typebox';
import { IdSchema, Text } from './common.ts';
import { EVENT_TYPE_PATTERN } from './events.ts';

export const FEATURE_ENTITIES = ['user', 'item', 'user_item'] as const;
export type FeatureEntity = (typeof FEATURE_ENTITIES)[number];
/** Sliding windows, aligned to their buckets (see the server's windows.ts for the exact rule). */
export const FEATURE_WINDOWS = ['1h', '24h', '7d', '30d'] as const;
export type FeatureWindow = (typeof FEATURE_WINDOWS)[number];
export const AGGREGATION_KINDS = [
  'count',
  'sum',
  'distinctCount',
  'lastN',
  'lastSeen',
  'categoryCounts',
  'copurchase',
] as const;
export type AggregationKind = (typeof AGGREGATION_KINDS)[number];
export const FEATURE_STATUSES = ['PRESENT', 'NOT_FOUND', 'OUTSIDE_TTL'] as const;
export type FeatureStatus = (typeof FEATURE_STATUSES)[number];
/** Event fields an aggregation can read. */
export const EVENT_FIELDS = ['userId', 'itemId', 'sessionId', 'query', 'value', 'quantity'] as const;

export const FEATURE_NAME_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
export const FeatureNameSchema = Type.String({ pattern: FEATURE_NAME_PATTERN });
/** `view:feature`. */
export const FeatureRefSchema = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,62}:[A-Za-z0-9_.:-]{1,200}$',
  description: '`<view>:<feature>`',
});
export const MAX_ONLINE_ROWS = 1000;
export const MAX_HISTORICAL_ROWS = 10_000;
export const MAX_FEATURE_REFS = 500;

const eventTypes = (description: string) =>
  Type.Array(Type.String({ pattern: EVENT_TYPE_PATTERN }), {
    minItems: 1,
    maxItems: 20,
    uniqueItems: true,
    description,
  });

/** One aggregation; which of the optional members are needed depends on `kind` (checked by the server). */
export const AggregationSchema = Type.Object(
  {
    name: FeatureNameSchema,
    kind: Type.Enum([...AGGREGATION_KINDS]),
    eventTypes: Type.Optional(eventTypes("Only these of the view's event types (default: all of them)")),
    field: Type.Optional(Type.Enum([...EVENT_FIELDS], { description: 'sum, distinctCount, lastN' })),
    windows: Type.Optional(
      Type.Array(Type.Enum([...FEATURE_WINDOWS]), {
        minItems: 1,
        uniqueItems: true,
        description: 'count, sum, distinctCount, categoryCounts: one feature `<name>_<window>` each',
      }),
    ),
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, description: 'lastN: how many' })),
    topK: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'copurchase: how many' })),
  },
  { additionalProperties: false },
);
export type Aggregation = Static<typeof AggregationSchema>;

export const FeatureSourceSchema = Type.Object(
  {
    kind: Type.Enum(['events', 'catalog']),
    eventTypes: Type.Optional(eventTypes('events: the event types read')),
    fields: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9_]{1,100}(\\.[A-Za-z0-9_:-]{1,100}){0,3}$' }), {
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        description: 'catalog: item fields, dotted paths such as `price.amount` or `attributes.colour`',
      }),
    ),
  },
  { additionalProperties: false },
);
export type FeatureSource = Static<typeof FeatureSourceSchema>;

/** The body of `PUT /v1/feature-views/{name}`. */
export const FeatureViewInputSchema = Type.Object(
  {
    description: Type.Optional(Text({ maxLength: 2000 })),
    entity: Type.Enum([...FEATURE_ENTITIES]),
    source: FeatureSourceSchema,
    aggregations: Type.Optional(Type.Array(AggregationSchema, { maxItems: 50 })),
    ttlSeconds: Type.Integer({
      minimum: 0,
      maximum: 10 * 365 * 86_400,
      description: 'Values whose newest event is older than this read as OUTSIDE_TTL; 0: never',
    }),
  },
  { additionalProperties: false },
);
export type FeatureViewInput = Static<typeof FeatureViewInputSchema>;

export const FeatureViewSchema = Type.Object({
  name: Type.String(),
  ...FeatureViewInputSchema.properties,
  features: Type.Array(Type.String(), { description: 'The feature names this view answers' }),
  builtIn: Type.Boolean(),
  version: Type.Integer({ description: 'Bumped when the definition changes; state starts afresh' }),
  createdAt: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([Type.String(), Type.Null()]),
});
export type FeatureView = Static<typeof FeatureViewSchema>;

export const FeatureViewListSchema = Type.Object({ views: Type.Array(FeatureViewSchema) });

/** The body of `PUT /v1/feature-services/{name}`: a named list of features. */
export const FeatureServiceInputSchema = Type.Object(
  {
    description: Type.Optional(Text({ maxLength: 2000 })),
    features: Type.Array(FeatureRefSchema, { minItems: 1, maxItems: MAX_FEATURE_REFS, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type FeatureServiceInput = Static<typeof FeatureServiceInputSchema>;

export const FeatureServiceSchema = Type.Object({
  name: Type.String(),
  ...FeatureServiceInputSchema.properties,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type FeatureService = Static<typeof FeatureServiceSchema>;
export const FeatureServiceListSchema = Type.Object({ services: Type.Array(FeatureServiceSchema) });

const selection = {
  features: Type.Optional(
    Type.Array(FeatureRefSchema, { minItems: 1, maxItems: MAX_FEATURE_REFS, uniqueItems: true }),
  ),
  featureService: Type.Optional(FeatureNameSchema),
};
const UserIdSchema = IdSchema;
const ItemIdSchema = IdSchema;

/** Entity columns: `userId` for user views, `itemId` for item views, both for user_item; equal lengths. */
export const EntitiesSchema = Type.Object(
  {
    userId: Type.Optional(Type.Array(UserIdSchema, { minItems: 1, maxItems: MAX_ONLINE_ROWS })),
    itemId: Type.Optional(Type.Array(ItemIdSchema, { minItems: 1, maxItems: MAX_ONLINE_ROWS })),
  },
  { additionalProperties: false },
);
export type Entities = Static<typeof EntitiesSchema>;

/** `POST /v1/features/online`: give `features` or `featureService`. */
export const OnlineFeaturesRequestSchema = Type.Object(
  { ...selection, entities: EntitiesSchema },
  { additionalProperties: false },
);
export type OnlineFeaturesRequest = Static<typeof OnlineFeaturesRequestSchema>;

export const EntityRowSchema = Type.Object(
  {
    userId: Type.Optional(UserIdSchema),
    itemId: Type.Optional(ItemIdSchema),
    timestamp: Type.String({ format: 'date-time', description: 'Values as of this instant (event time)' }),
  },
  { additionalProperties: false },
);
export type EntityRow = Static<typeof EntityRowSchema>;

/** `POST /v1/features/historical`: point-in-time values for each entity row. */
export const HistoricalFeaturesRequestSchema = Type.Object(
  {
    ...selection,
    entityRows: Type.Array(EntityRowSchema, { minItems: 1, maxItems: MAX_HISTORICAL_ROWS }),
  },
  { additionalProperties: false },
);
export type HistoricalFeaturesRequest = Static<typeof HistoricalFeaturesRequestSchema>;

/** One column: a value, a status and an event timestamp per entity row (null where there is none). */
export const FeatureVectorSchema = Type.Object({
  values: Type.Array(Type.Unknown()),
  statuses: Type.Array(Type.Enum([...FEATURE_STATUSES])),
  eventTimestamps: Type.Array(Type.Union([Type.String(), Type.Null()])),
});
export type FeatureVector = Static<typeof FeatureVectorSchema>;

/** Feast's shape in camelCase: entity columns first, then one column per requested feature. */
export const FeaturesResponseSchema = Type.Object({
  metadata: Type.Object({ featureNames: Type.Array(Type.String()) }),
  results: Type.Array(FeatureVectorSchema),
});
export type FeaturesResponse = Static<typeof FeaturesResponseSchema>;

export const FeatureConsumerStatusSchema = Type.Object({
  consumer: Type.String(),
  lag: Type.Integer(),
  rebuildingUntil: Type.Union([Type.Integer(), Type.Null()]),
});
export type FeatureConsumerStatus = Static<typeof FeatureConsumerStatusSchema>;
