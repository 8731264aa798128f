// Wire shapes for catalog items, batch upserts and the change feed.
import { type Static, Type } from 'typebox';
import { IdSchema, Text, TimestampSchema } from './common.ts';

export const MAX_BATCH_ITEMS = 1000;

export const AttributeValueSchema = Type.Union([
  Text({ maxLength: 2000 }),
  Type.Number(),
  Type.Boolean(),
  Type.Array(Text({ maxLength: 500 }), { maxItems: 100 }),
]);

export const PriceSchema = Type.Object(
  {
    amount: Type.Number({ minimum: 0 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
  },
  { additionalProperties: false },
);

const itemFields = {
  title: Text({ minLength: 1, maxLength: 500 }),
  description: Type.Optional(Text({ maxLength: 20_000 })),
  categories: Type.Optional(
    Type.Array(
      Type.String({
        pattern: '^[^/\\s][^/]*(/[^/\\s][^/]*)*$',
        maxLength: 300,
        description: 'A path such as home/lighting/lamps',
      }),
      { maxItems: 50 },
    ),
  ),
  brand: Type.Optional(Text({ maxLength: 200 })),
  price: Type.Optional(PriceSchema),
  available: Type.Optional(Type.Boolean()),
  imageUrl: Type.Optional(Type.String({ format: 'uri', maxLength: 2000 })),
  attributes: Type.Optional(
    Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$' }), AttributeValueSchema, {
      maxProperties: 200,
    }),
  ),
};

/** The body of `PUT /v1/items/{itemId}`; `id` may be given but must equal the path's. */
export const ItemInputSchema = Type.Object(
  { id: Type.Optional(IdSchema), ...itemFields },
  { additionalProperties: false },
);
export type ItemInput = Static<typeof ItemInputSchema>;

/** One element of a batch upsert: like ItemInput but the id is required. */
export const BatchItemSchema = Type.Object({ id: IdSchema, ...itemFields }, { additionalProperties: false });
export type BatchItem = Static<typeof BatchItemSchema>;

export const ItemSchema = Type.Object(
  {
    id: Type.String(),
    ...itemFields,
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    version: Type.Integer({ minimum: 1 }),
  },
  {},
);
export type Item = Static<typeof ItemSchema>;

/** The stored, client-owned part of an item. */
export type ItemData = Omit<Item, 'id' | 'createdAt' | 'updatedAt' | 'version'>;

export const ItemPageSchema = Type.Object({
  items: Type.Array(ItemSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const BatchUpsertSchema = Type.Object(
  {
    // Elements are validated one by one so that one bad item does not fail the others.
    items: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH_ITEMS }),
  },
  { additionalProperties: false },
);

export const BatchResultSchema = Type.Object({
  index: Type.Integer(),
  id: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('error')]),
  version: Type.Optional(Type.Integer()),
  error: Type.Optional(
    Type.Object({
      code: Type.String(),
      detail: Type.String(),
      errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    }),
  ),
});
export type BatchResult = Static<typeof BatchResultSchema>;

export const BatchResponseSchema = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  failed: Type.Integer(),
  results: Type.Array(BatchResultSchema),
});
export type BatchResponse = Static<typeof BatchResponseSchema>;

export const ChangeSchema = Type.Object({
  seq: Type.Integer(),
  itemId: Type.String(),
  op: Type.Union([Type.Literal('upsert'), Type.Literal('delete')]),
  version: Type.Integer(),
  at: TimestampSchema,
});
export type Change = Static<typeof ChangeSchema>;

export const ChangePageSchema = Type.Object({
  changes: Type.Array(ChangeSchema),
  lastSeq: Type.Integer({ description: 'Pass as `after` to continue' }),
});
