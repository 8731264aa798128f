// Wire shapes of recommendations: the scenario request (context, filters, boosts, diversity) and the answer.
import { type Static, Type } from 'typebox';
import { ItemSchema } from './catalog.ts';
import { IdSchema } from './common.ts';

export const RECOMMENDATION_SCENARIOS = ['similar-items', 'bought-together', 'for-user', 'trending'] as const;
export type RecommendationScenario = (typeof RECOMMENDATION_SCENARIOS)[number];
export const MAX_RECOMMENDATION_LIMIT = 100;
export const DEFAULT_RECOMMENDATION_LIMIT = 10;
export const MAX_CONTEXT_ITEMS = 100;

const FILTER_DESCRIPTION =
  'The search filter grammar: a leaf ({category}, {brand}, {price: {gte?, lte?}}, {available}, {attribute, eq?, gte?, lte?}) or {and: […]} / {or: […]}';

export const RecommendationRequestSchema = Type.Object(
  {
    scenario: Type.Enum([...RECOMMENDATION_SCENARIOS]),
    itemId: Type.Optional(IdSchema),
    itemIds: Type.Optional(
      Type.Array(IdSchema, {
        minItems: 1,
        maxItems: MAX_CONTEXT_ITEMS,
        description: 'A cart (bought-together) or several seed items (similar-items)',
      }),
    ),
    userId: Type.Optional(IdSchema),
    /** for-user: the session's recent items join the context (all of it for a user without history). */
    sessionId: Type.Optional(IdSchema),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_RECOMMENDATION_LIMIT, default: DEFAULT_RECOMMENDATION_LIMIT }),
    ),
    filters: Type.Optional(Type.Unknown({ description: FILTER_DESCRIPTION })),
    exclude: Type.Optional(Type.Array(IdSchema, { maxItems: 1000, description: 'Item ids never returned' })),
    excludePurchased: Type.Optional(
      Type.Boolean({ description: 'With userId: leave out what the user already bought (default true)' }),
    ),
    boosts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            filter: Type.Unknown({ description: FILTER_DESCRIPTION }),
            factor: Type.Number({
              exclusiveMinimum: 0,
              maximum: 100,
              description: 'Multiplies the score of matching items (< 1 buries them)',
            }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    diversity: Type.Optional(
      Type.Object(
        {
          field: Type.Enum(['category', 'brand']),
          maxPerValue: Type.Integer({ minimum: 1, maximum: MAX_RECOMMENDATION_LIMIT }),
        },
        { additionalProperties: false, description: 'At most maxPerValue items per brand or top category' },
      ),
    ),
    category: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: 'trending: within this category path' }),
    ),
    explain: Type.Optional(Type.Boolean({ description: 'Add reasons to each item' })),
  },
  { additionalProperties: false },
);
export type RecommendationRequest = Static<typeof RecommendationRequestSchema>;

export const RecommendationReasonSchema = Type.Object({
  kind: Type.Enum(['similar-to', 'bought-with', 'because-you-viewed', 'trending', 'popular']),
  itemId: Type.Optional(Type.String({ description: 'The context item that contributed most' })),
  category: Type.Optional(Type.String()),
  text: Type.String(),
});
export type RecommendationReason = Static<typeof RecommendationReasonSchema>;

/** The catalog item's fields, its score and, with `explain`, the reasons. */
export const RecommendedItemSchema = Type.Object({
  ...ItemSchema.properties,
  score: Type.Number(),
  reasons: Type.Optional(Type.Array(RecommendationReasonSchema)),
  recommendationId: Type.String({
    description:
      "The token of the list this item came from: send it back on events about this item (a mixed answer's items differ)",
  }),
});
export type RecommendedItem = Static<typeof RecommendedItemSchema>;

export const RECOMMENDATION_FALLBACK_REASONS = [
  'no-history',
  'unknown-to-model',
  'not-trained',
  'history-unavailable',
] as const;

export const RecommendationFallbackSchema = Type.Object(
  {
    reason: Type.Enum([...RECOMMENDATION_FALLBACK_REASONS], {
      description:
        "no-history: the user has none; unknown-to-model: the model knows none of the user's items; not-trained: no model for the scenario; history-unavailable: the feature store is down and no long-term history is known",
    }),
    detail: Type.String(),
  },
  { description: "Present when the scenario's own answer could not be given (for-user answered trending)" },
);
export type RecommendationFallback = Static<typeof RecommendationFallbackSchema>;

export const RecommendationResponseSchema = Type.Object({
  recommendationId: Type.String({
    description: 'Send it back as `recommendationId` on click and purchase events: they are attributed',
  }),
  scenario: Type.Enum([...RECOMMENDATION_SCENARIOS]),
  endpoint: Type.String(),
  model: Type.String(),
  version: Type.String(),
  variant: Type.String(),
  degraded: Type.Boolean({ description: 'A fallback (of the endpoint, or of the scenario) answered' }),
  fallback: Type.Optional(RecommendationFallbackSchema),
  items: Type.Array(RecommendedItemSchema),
  notices: Type.Array(Type.String(), { description: 'E.g. that a cold user got trending items' }),
});
export type RecommendationResponse = Static<typeof RecommendationResponseSchema>;
