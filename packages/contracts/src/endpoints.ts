// Wire shapes for named endpoints in front of models: weighted sticky routes, shadows, fallbacks, rollouts, results.
import { type Static, Type } from 'typebox';
import { ALIAS_PATTERN, MODEL_NAME_PATTERN } from './models.ts';

export const ENDPOINT_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
export const VARIANT_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$';
export const STICKY_BY_PATTERN = '^(userId|sessionId|header:[a-z0-9-]{1,64})$';
export const MAX_ROUTES = 16;

const targetFields = {
  model: Type.String({ pattern: MODEL_NAME_PATTERN }),
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'a version number (or give `alias`)' })),
  alias: Type.Optional(
    Type.String({ pattern: ALIAS_PATTERN, description: 'an alias; neither: champion, else latest' }),
  ),
};

export const RouteSchema = Type.Object(
  {
    ...targetFields,
    weight: Type.Number({ minimum: 0, maximum: 1_000_000, description: 'share = weight / sum of weights' }),
    variant: Type.Optional(
      Type.String({ pattern: VARIANT_NAME_PATTERN, description: 'name in results; default model@version' }),
    ),
  },
  { additionalProperties: false },
);
export type Route = Static<typeof RouteSchema>;

export const ShadowSchema = Type.Object(
  {
    ...targetFields,
    percent: Type.Number({ minimum: 0, maximum: 100, description: 'share of requests mirrored' }),
    compare: Type.Optional(
      Type.Union([Type.Literal('scores'), Type.Literal('topk')], {
        description: 'scores: mean absolute difference; topk: overlap of each row’s top-k indices',
      }),
    ),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'for topk; default 10' })),
  },
  { additionalProperties: false },
);
export type Shadow = Static<typeof ShadowSchema>;

export const FallbackSchema = Type.Object(targetFields, { additionalProperties: false });
export type Fallback = Static<typeof FallbackSchema>;

export const BreakerSettingsSchema = Type.Object(
  {
    consecutiveFailures: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 5 })),
    errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0.5 })),
    minRequests: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 20 })),
    windowMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000, default: 10_000 })),
    coolDownMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 3_600_000, default: 30_000 })),
  },
  { additionalProperties: false },
);
export type BreakerSettings = Static<typeof BreakerSettingsSchema>;

export const PutEndpointSchema = Type.Object(
  {
    routes: Type.Array(RouteSchema, { minItems: 1, maxItems: MAX_ROUTES }),
    shadow: Type.Optional(Type.Array(ShadowSchema, { maxItems: MAX_ROUTES })),
    fallback: Type.Optional(Type.Array(FallbackSchema, { maxItems: MAX_ROUTES })),
    stickyBy: Type.Optional(
      Type.String({
        pattern: STICKY_BY_PATTERN,
        description: 'the routing unit: parameters.userId, parameters.sessionId, or a request header',
      }),
    ),
    timeoutMs: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 600_000, description: 'per attempt; then the fallback answers' }),
    ),
    breaker: Type.Optional(BreakerSettingsSchema),
  },
  { additionalProperties: false },
);
export type PutEndpoint = Static<typeof PutEndpointSchema>;

export const EndpointSchema = Type.Object({
  name: Type.String(),
  ...PutEndpointSchema.properties,
  revision: Type.Integer({ description: 'increases with every change of routes or weights' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Endpoint = Static<typeof EndpointSchema>;

export const EndpointPageSchema = Type.Object({
  endpoints: Type.Array(EndpointSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const EndpointRevisionSchema = Type.Object({
  revision: Type.Integer(),
  routes: Type.Array(RouteSchema),
  reason: Type.String({ description: 'put, rollout step, rollback, promote …' }),
  at: Type.String({ format: 'date-time' }),
});
export const EndpointHistorySchema = Type.Object({ revisions: Type.Array(EndpointRevisionSchema) });

const Ratio = Type.Union([Type.Number(), Type.Null()]);

export const EndpointStatsSchema = Type.Object({
  since: Type.String({ format: 'date-time' }),
  variants: Type.Array(
    Type.Object({
      variant: Type.String(),
      model: Type.String(),
      version: Type.String(),
      requests: Type.Integer(),
      errors: Type.Integer(),
      errorRate: Ratio,
      degraded: Type.Integer({ description: 'answers this target gave as a fallback' }),
      p50Ms: Ratio,
      p99Ms: Ratio,
    }),
  ),
  shadows: Type.Array(
    Type.Object({
      primary: Type.String({ description: 'model@version that answered' }),
      shadow: Type.String({ description: 'model@version mirrored to' }),
      requests: Type.Integer(),
      errors: Type.Integer(),
      p50Ms: Ratio,
      p99Ms: Ratio,
      meanAbsDiff: Ratio,
      topKOverlap: Ratio,
    }),
  ),
  breakers: Type.Array(
    Type.Object({
      target: Type.String(),
      state: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half_open')]),
    }),
  ),
});
export type EndpointStats = Static<typeof EndpointStatsSchema>;

const Interval = Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()]);

export const ExperimentResultsSchema = Type.Object({
  metric: Type.String(),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.Union([Type.String(), Type.Null()]),
  control: Type.String(),
  variants: Type.Array(
    Type.Object({
      variant: Type.String(),
      weight: Type.Number(),
      exposures: Type.Integer({ description: 'distinct routing units assigned to it' }),
      conversions: Type.Integer({ description: 'distinct units with an attributed event of `metric`' }),
      rate: Ratio,
      rateInterval: Interval,
      lift: Ratio,
      liftInterval: Interval,
    }),
  ),
  srm: Type.Object({
    chiSquare: Type.Number(),
    degreesOfFreedom: Type.Integer(),
    pValue: Type.Number(),
    mismatch: Type.Boolean({ description: 'p < 0.001: the split differs from the weights' }),
  }),
  confidence: Type.Number(),
});
export type ExperimentResults = Static<typeof ExperimentResultsSchema>;

export const ResultsQuerySchema = Type.Object(
  {
    metric: Type.Optional(
      Type.String({ pattern: '^(click|add_to_cart|purchase|custom:[a-z0-9_]{1,64})$', default: 'purchase' }),
    ),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    confidence: Type.Optional(Type.Number({ minimum: 0.5, maximum: 0.999, default: 0.95 })),
  },
  { additionalProperties: false },
);
export type ResultsQuery = Static<typeof ResultsQuerySchema>;

export const GuardrailsSchema = Type.Object(
  {
    minRequests: Type.Optional(
      Type.Integer({ minimum: 1, default: 50, description: 'candidate requests in a step before deciding' }),
    ),
    maxErrorRateIncrease: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, default: 0.02, description: 'candidate − baseline error rate' }),
    ),
    maxP99Ratio: Type.Optional(
      Type.Number({ minimum: 1, default: 1.5, description: 'candidate p99 / baseline p99' }),
    ),
    minClickThroughRatio: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'candidate CTR / baseline CTR; off when absent' }),
    ),
    minConversionRatio: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'candidate / baseline conversion; off when absent',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Guardrails = Static<typeof GuardrailsSchema>;

export const CreateRolloutSchema = Type.Object(
  {
    candidate: FallbackSchema,
    steps: Type.Optional(
      Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 100 }), {
        minItems: 1,
        maxItems: 20,
        default: [5, 25, 50, 100],
        description: 'candidate percent per step, increasing, ending at 100',
      }),
    ),
    stepDuration: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,7}(ms|s|m|h)$', default: '5m', description: 'e.g. 30s, 5m, 1h' }),
    ),
    guardrails: Type.Optional(GuardrailsSchema),
  },
  { additionalProperties: false },
);
export type CreateRollout = Static<typeof CreateRolloutSchema>;

export const RolloutDecisionSchema = Type.Object({
  at: Type.String({ format: 'date-time' }),
  action: Type.String({ description: 'start, promote, hold, rollback, complete, pause, resume' }),
  step: Type.Integer(),
  percent: Type.Number(),
  reason: Type.String(),
  numbers: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])),
});

export const RolloutSchema = Type.Object({
  id: Type.String(),
  endpoint: Type.String(),
  candidate: FallbackSchema,
  baseline: Type.String({ description: 'the variant the candidate is compared with' }),
  steps: Type.Array(Type.Number()),
  stepDurationMs: Type.Integer(),
  guardrails: GuardrailsSchema,
  status: Type.Union([
    Type.Literal('running'),
    Type.Literal('paused'),
    Type.Literal('completed'),
    Type.Literal('rolled_back'),
  ]),
  step: Type.Integer({ description: 'index into steps' }),
  percent: Type.Number(),
  stepStartedAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  decisions: Type.Array(RolloutDecisionSchema),
});
export type Rollout = Static<typeof RolloutSchema>;
