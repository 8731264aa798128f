// Wire shapes for behavioural events: what shops send about their users, batched.
import { type Static, Type } from 'typebox';
import { ID_PATTERN, IdSchema, Text, TimestampSchema } from './common.ts';

export const MAX_EVENT_BATCH = 1000;
export const BUILTIN_EVENT_TYPES = ['view', 'click', 'add_to_cart', 'purchase', 'search'] as const;
/** Built-in types, or `custom:<name>`. */
export const EVENT_TYPE_PATTERN = '^(view|click|add_to_cart|purchase|search|custom:[a-z0-9_]{1,64})$';
/** Types that are about one item and therefore need `itemId`. */
export const ITEM_EVENT_TYPES = ['view', 'click', 'add_to_cart', 'purchase'] as const;

export const EventSchema = Type.Object(
  {
    id: Type.String({
      pattern: ID_PATTERN,
      description: 'Client-chosen (the id grammar); the idempotency key of the event',
    }),
    type: Type.String({ pattern: EVENT_TYPE_PATTERN }),
    userId: IdSchema,
    sessionId: Type.Optional(IdSchema),
    itemId: Type.Optional(IdSchema),
    quantity: Type.Optional(Type.Number()),
    value: Type.Optional(Type.Number()),
    query: Type.Optional(Text({ maxLength: 1000 })),
    recommendationId: Type.Optional(IdSchema),
    timestamp: TimestampSchema,
    properties: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$' }),
        Type.Union([Text({ maxLength: 2000 }), Type.Number(), Type.Boolean(), Type.Array(Type.String())]),
        { maxProperties: 100 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type QuiverEvent = Static<typeof EventSchema>;

export const IngestEventsSchema = Type.Object(
  {
    // Elements are validated one by one: invalid events are reported by index, valid ones are kept.
    events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_EVENT_BATCH }),
  },
  { additionalProperties: false },
);

export const IngestResultSchema = Type.Object({
  accepted: Type.Integer({ description: 'Events written durably by this call' }),
  duplicates: Type.Integer({ description: 'Events whose id this tenant had already sent (counted once)' }),
  rejected: Type.Integer(),
  errors: Type.Array(
    Type.Object({
      index: Type.Integer(),
      id: Type.Union([Type.String(), Type.Null()]),
      errors: Type.Array(Type.Object({ path: Type.String(), message: Type.String() })),
    }),
  ),
});
export type IngestResult = Static<typeof IngestResultSchema>;
