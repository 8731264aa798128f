// Wire shapes of training (issue 10; the search ranker: issue 20): runs of a trainer kind, their progress,
// offline metrics, the published version and the promotion decision, and per-kind schedules.
import { type Static, Type } from 'typebox';
import { QueryInteger } from './common.ts';

export const TRAINER_KINDS = [
  'cooccurrence',
  'als',
  'popularity',
  'content',
  'userknn',
  'search-ranker',
] as const;
export type TrainerKind = (typeof TRAINER_KINDS)[number];
/** The kinds that train a recommender (the other, `search-ranker`, trains hybrid search's second phase). */
export type RecommenderKind = Exclude<TrainerKind, 'search-ranker'>;
export const TrainerKindSchema = Type.Enum([...TRAINER_KINDS]);

/** Per-kind parameters; every field is optional and defaults to the trained-on-Online-Retail choice. */
export const TRAINER_PARAMS = {
  cooccurrence: Type.Object(
    {
      method: Type.Optional(Type.Union([Type.Literal('cosine'), Type.Literal('ease')])),
      regularization: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 })),
      easeMaxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 4000 })),
      easeMinBaskets: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
      easeFallbackWeight: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      neighbours: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
      shrinkage: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000 })),
      scope: Type.Optional(Type.Union([Type.Literal('session'), Type.Literal('user')])),
      maxBasketItems: Type.Optional(Type.Integer({ minimum: 2, maximum: 10_000 })),
      halfLifeDays: Type.Optional(Type.Number({ minimum: 0, maximum: 3650 })),
      sequenceWeight: Type.Optional(
        Type.Number({
          minimum: 0,
          maximum: 1000,
          description: 'weight of the "buy next" item → next-item table added to each row (0: none)',
        }),
      ),
      sequenceWindow: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
      sequenceHalfLifeDays: Type.Optional(Type.Number({ minimum: 0, maximum: 3650 })),
    },
    { additionalProperties: false },
  ),
  als: Type.Object(
    {
      factors: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
      iterations: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      regularization: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000 })),
      alpha: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000 })),
      cgSteps: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
      foldInRegularization: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 })),
      seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    },
    { additionalProperties: false },
  ),
  popularity: Type.Object(
    { halfLifeDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3650 })) },
    { additionalProperties: false },
  ),
  content: Type.Object(
    {
      maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
      method: Type.Optional(Type.Union([Type.Literal('projected'), Type.Literal('text')])),
      ridge: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 })),
      coldWeight: Type.Optional(
        Type.Number({
          minimum: 0,
          maximum: 1,
          description: 'projected: scale of the factors of items without events',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  userknn: Type.Object(
    {
      neighbours: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 5000, description: 'customers (K) whose items score a request' }),
      ),
      halfLifeDays: Type.Optional(
        Type.Number({
          exclusiveMinimum: 0,
          maximum: 3650,
          description:
            "a neighbour's item counts 2^(−age/halfLife), age from the neighbour's ageFrom event on it",
        }),
      ),
      ageFrom: Type.Optional(
        Type.Union([Type.Literal('first'), Type.Literal('last')], {
          description:
            "age of a neighbour's item from their first event on it (first, default: what they recently took up) or their latest (last)",
        }),
      ),
      exponent: Type.Optional(
        Type.Number({
          minimum: 0,
          maximum: 4,
          description: "similarity ÷ the customer's item count^exponent",
        }),
      ),
      scope: Type.Optional(
        Type.Union([Type.Literal('user'), Type.Literal('basket')], {
          description: 'neighbours are customers (user, default) or sessions/invoices (basket: session-kNN)',
        }),
      ),
      maxItemsPerUser: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
      maxUsersPerItem: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    },
    { additionalProperties: false },
  ),
  'search-ranker': Type.Object(
    {
      eta: Type.Optional(
        Type.Number({
          minimum: 0,
          maximum: 4,
          description:
            "position bias: examination ∝ position^−eta; default: measured on the tenant's explored searches (setting `searchExploration`) when at least 50 of them have 30 clicks at their shuffled positions, else 1",
        }),
      ),
      propensityFloor: Type.Optional(
        Type.Number({
          exclusiveMinimum: 0,
          maximum: 1,
          description: 'smallest propensity a click is divided by (0.1)',
        }),
      ),
      holdout: Type.Optional(
        Type.Number({
          exclusiveMinimum: 0,
          exclusiveMaximum: 1,
          description: 'share of the judged queries held out for the offline metrics (0.2)',
        }),
      ),
      model: Type.Optional(
        Type.Enum(['trees', 'linear'], {
          description:
            'trees: LambdaMART over the wide ranker features, exported as an ONNX TreeEnsembleRegressor (default); linear: the 3-feature linear ranker',
          examples: ['trees'],
        }),
      ),
    },
    { additionalProperties: false },
  ),
} as const;

export const PROMOTE_MODES = ['always', 'if-better', 'never'] as const;
export type PromoteMode = (typeof PROMOTE_MODES)[number];

export const EvaluationSpecSchema = Type.Object(
  {
    splitAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'train before, test from this time on' }),
    ),
    holdout: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        description: 'test on the last fraction of the events’ time range (default 0.1) when no splitAt',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EvaluationSpec = Static<typeof EvaluationSpecSchema>;

export const CreateTrainingRunSchema = Type.Object(
  {
    params: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
        maxProperties: 50,
        description: 'per kind: see TRAINER_PARAMS; unknown names are a 400',
      }),
    ),
    evaluation: Type.Optional(EvaluationSpecSchema),
    promote: Type.Optional(
      Type.Enum([...PROMOTE_MODES], {
        description: "move the 'champion' alias: always, if NDCG@10 ≥ the champion's (default), never",
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateTrainingRun = Static<typeof CreateTrainingRunSchema>;

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const MetricsSchema = Type.Record(Type.String(), Type.Number());

export const TrainingRunSchema = Type.Object({
  id: Type.String(),
  kind: TrainerKindSchema,
  status: Type.Enum([...RUN_STATUSES]),
  trigger: Type.Union([Type.Literal('api'), Type.Literal('schedule'), Type.Literal('events')], {
    description: 'api: POST; schedule: everyHours came due; events: afterEvents new events arrived',
  }),
  params: Type.Record(Type.String(), Type.Unknown(), { description: 'as asked, before defaults' }),
  evaluation: EvaluationSpecSchema,
  promote: Type.Enum([...PROMOTE_MODES]),
  progress: Type.Object({
    phase: Type.String({ description: 'queued, reading, training, evaluating, publishing, done' }),
    fraction: Type.Number({ minimum: 0, maximum: 1 }),
  }),
  timings: Type.Record(Type.String(), Type.Number(), { description: 'milliseconds per phase' }),
  data: Type.Union([
    Type.Object({
      events: Type.Integer(),
      items: Type.Integer(),
      users: Type.Integer(),
      from: Type.Union([Type.String(), Type.Null()]),
      to: Type.Union([Type.String(), Type.Null()]),
      splitAt: Type.Union([Type.String(), Type.Null()]),
      searches: Type.Optional(Type.Integer({ description: 'search-ranker: search events with a searchId' })),
      queries: Type.Optional(Type.Integer({ description: 'search-ranker: distinct queries with outcomes' })),
      params: Type.Optional(
        Type.Object(
          {
            trees: Type.Integer(),
            depth: Type.Integer(),
            learningRate: Type.Number(),
            minLeaf: Type.Integer(),
            validNdcg: Type.Union([Type.Number(), Type.Null()], {
              description: 'NDCG@10 on the validation split of the training queries (null: too few to split)',
            }),
          },
          {
            description:
              'search-ranker trees: the LambdaMART parameters chosen on a validation split of the training queries (trees 0: no tree helped, the linear part alone)',
            examples: [{ trees: 120, depth: 5, learningRate: 0.05, minLeaf: 20, validNdcg: 0.61 }],
          },
        ),
      ),
    }),
    Type.Null(),
  ]),
  metrics: Type.Union([MetricsSchema, Type.Null()], {
    description:
      'offline metrics on the split: hr@10, ndcg@10, recall@20, coverage, users (search-ranker: ndcg@10 and queries on held-out queries, clicks as judgments)',
  }),
  baseline: Type.Union([MetricsSchema, Type.Null()], {
    description:
      'decayed popularity on the same split, measured in the same run (search-ranker: the current ranker)',
  }),
  model: Type.Union([Type.Object({ name: Type.String(), version: Type.Integer() }), Type.Null()]),
  promotion: Type.Union([
    Type.Object({
      decision: Type.Union([Type.Literal('promoted'), Type.Literal('blocked'), Type.Literal('skipped')]),
      reason: Type.String(),
      candidate: Type.Union([Type.Number(), Type.Null()]),
      champion: Type.Union([Type.Number(), Type.Null()]),
      championVersion: Type.Union([Type.Integer(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  endpoints: Type.Array(Type.String(), { description: 'scenario endpoints this run created' }),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type TrainingRun = Static<typeof TrainingRunSchema>;

export const TrainingRunListQuerySchema = Type.Object(
  {
    kind: Type.Optional(TrainerKindSchema),
    trigger: Type.Optional(
      Type.Union([Type.Literal('api'), Type.Literal('schedule'), Type.Literal('events')], {
        description: 'only runs started this way (automatic retraining: schedule, events)',
      }),
    ),
    limit: Type.Optional(QueryInteger({ minimum: 1, maximum: 200, default: 20 })),
  },
  { additionalProperties: false },
);
export type TrainingRunListQuery = Static<typeof TrainingRunListQuerySchema>;

export const TrainingRunListSchema = Type.Object({ runs: Type.Array(TrainingRunSchema) });

export const PutTrainingScheduleSchema = Type.Object(
  {
    everyHours: Type.Optional(
      Type.Number({ minimum: 0.01, maximum: 24 * 366, description: 'retrain every N hours' }),
    ),
    afterEvents: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000_000,
        description: 'retrain once N new events arrived since the last automatic run (or since set)',
      }),
    ),
    params: CreateTrainingRunSchema.properties.params,
    evaluation: Type.Optional(EvaluationSpecSchema),
    promote: CreateTrainingRunSchema.properties.promote,
  },
  { additionalProperties: false },
);
export type PutTrainingSchedule = Static<typeof PutTrainingScheduleSchema>;

export const TrainingScheduleSchema = Type.Object({
  kind: TrainerKindSchema,
  everyHours: Type.Union([Type.Number(), Type.Null()]),
  afterEvents: Type.Union([Type.Integer(), Type.Null()]),
  newEvents: Type.Union([Type.Integer(), Type.Null()], {
    description: 'events accepted since the last automatic run (or since set); null without afterEvents',
  }),
  params: Type.Record(Type.String(), Type.Unknown()),
  evaluation: EvaluationSpecSchema,
  promote: Type.Enum([...PROMOTE_MODES]),
  nextRunAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'when everyHours next comes due; null without everyHours',
  }),
  lastRunId: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type TrainingSchedule = Static<typeof TrainingScheduleSchema>;
