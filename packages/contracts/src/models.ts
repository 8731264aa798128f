// Wire shapes for the model registry: models, immutable versions, aliases.
import { type Static, Type } from 'typebox';
import { Text, TimestampSchema } from './common.ts';

export const MODEL_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,99}$';
export const ALIAS_PATTERN = '^[a-z][a-z0-9_-]{0,49}$';

export const CreateModelSchema = Type.Object(
  {
    name: Type.String({ pattern: MODEL_NAME_PATTERN, description: 'lowercase letters, digits, . _ -' }),
    description: Type.Optional(Text({ maxLength: 2000 })),
    task: Type.Optional(Text({ maxLength: 100, description: 'e.g. ranking, embedding, classification' })),
  },
  { additionalProperties: false },
);
export type CreateModel = Static<typeof CreateModelSchema>;

const TensorSpecSchema = Type.Object({
  name: Type.String(),
  datatype: Type.String(),
  shape: Type.Array(Type.Integer(), { description: '-1 marks a dynamic dimension' }),
});

export const SignatureSchema = Type.Object({
  inputs: Type.Array(TensorSpecSchema),
  outputs: Type.Array(TensorSpecSchema),
});

/** What a recommender version is (issue 10): how its `item_ids`/`scores` answers are read. */
/**
 * What a search-ranker version computes: a linear one (the built-in one and the search-ranker trainer's
 * `linear` model) names its weights, which the trainer measures the current champion with; a `trees` one
 * (LambdaMART, ONNX TreeEnsembleRegressor, input contract v2) names the wide input columns it reads, and the
 * trainer reads its trees back from the graph.
 */
export const RankerInfoSchema = Type.Object(
  {
    kind: Type.Optional(
      Type.Enum(['linear', 'trees'], { description: 'absent: linear', examples: ['trees'] }),
    ),
    features: Type.Array(Type.String({ maxLength: 100 }), {
      maxItems: 100,
      description: 'the input columns of `features` [batch, N], in order',
      examples: [['keyword', 'vector', 'coverage', 'title_coverage', 'title_phrase']],
    }),
    weights: Type.Optional(
      Type.Array(Type.Number(), { maxItems: 100, description: 'linear: one per feature, in order' }),
    ),
    trees: Type.Optional(Type.Integer({ minimum: 1, description: 'trees: how many', examples: [120] })),
    params: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.Number(), {
        maxProperties: 20,
        description: 'trees: the LambdaMART parameters chosen on validation queries',
        examples: [{ trees: 120, depth: 3, learningRate: 0.1, minLeaf: 100 }],
      }),
    ),
    runId: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const RecommenderInfoSchema = Type.Object(
  {
    kind: Type.Union(['cooccurrence', 'als', 'popularity', 'content', 'userknn'].map((k) => Type.Literal(k))),
    graph: Type.Union(
      ['neighbours', 'factors', 'scores', 'userknn'].map((k) => Type.Literal(k)),
      {
        description: 'neighbours, scores and userknn: a score ≤ 0 means no evidence',
      },
    ),
    contract: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'the recommender contract version the graph needs (absent: 1); 2 = userknn (the top K customers per request)',
        examples: [2],
      }),
    ),
    items: Type.Integer({ minimum: 1, description: 'items the model knows' }),
    topK: Type.Integer({ minimum: 1, description: 'candidates per answer' }),
    runId: Type.Optional(Type.String({ maxLength: 200 })),
    params: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 50 }),
    ),
  },
  { additionalProperties: false },
);

export const VersionMetadataSchema = Type.Object(
  {
    framework: Type.Optional(Text({ maxLength: 100 })),
    description: Type.Optional(Text({ maxLength: 2000 })),
    trainingWindow: Type.Optional(
      Type.Object({ from: TimestampSchema, to: TimestampSchema }, { additionalProperties: false }),
    ),
    metrics: Type.Optional(
      Type.Record(Type.String({ maxLength: 100 }), Type.Number(), { maxProperties: 100 }),
    ),
    batching: Type.Optional(
      Type.Object(
        {
          maxBatchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
          maxQueueDelayMs: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
          maxQueueSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    cache: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean(),
          ttlSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
          maxEntries: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
    sampleInput: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String(),
            datatype: Type.String(),
            shape: Type.Array(Type.Integer({ minimum: 0 })),
            data: Type.Array(Type.Unknown()),
          },
          { additionalProperties: false },
        ),
        { description: 'OIP inputs for the validation run and the warm-up; zeros when absent' },
      ),
    ),
    featureInputs: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'input name → view:feature, fetched by entity id',
      }),
    ),
    execution: Type.Optional(
      Type.Union([Type.Literal('inline'), Type.Literal('workers')], {
        description:
          "'inline': run on the serving thread instead of the inference workers when the artifact is at most 256 KiB (larger ones run in the workers anyway): for tiny models whose worker round trip costs more than their compute, such as search rankers. Default 'workers'.",
      }),
    ),
    recommender: Type.Optional(RecommenderInfoSchema),
    ranker: Type.Optional(RankerInfoSchema),
  },
  { additionalProperties: false },
);

export const ModelVersionSchema = Type.Object({
  model: Type.String(),
  version: Type.Integer(),
  sha256: Type.String(),
  size: Type.Integer(),
  signature: SignatureSchema,
  metadata: Type.Record(Type.String(), Type.Unknown()),
  hasTokenizer: Type.Boolean(),
  aliases: Type.Array(Type.String()),
  createdAt: TimestampSchema,
});
export type ModelVersionView = Static<typeof ModelVersionSchema>;

export const ModelSchema = Type.Object({
  name: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  task: Type.Union([Type.String(), Type.Null()]),
  createdAt: TimestampSchema,
  latestVersion: Type.Union([Type.Integer(), Type.Null()]),
  aliases: Type.Record(Type.String(), Type.Integer()),
});
export type ModelView = Static<typeof ModelSchema>;

export const SetAliasSchema = Type.Object(
  { version: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);
