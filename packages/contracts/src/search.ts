// Wire shapes for product search: the query, filters, facets, hits with their retrievers, and rules.
import { type Static, Type } from 'typebox';
import { ItemSchema } from './catalog.ts';
import { IdSchema } from './common.ts';

/**
 * The typed filter tree of a search request (its schema is `unknown`: the server's parser checks it and
 * names the failing path). Also carried by scoped keys as filters every request of theirs must satisfy.
 */
type FilterScalar = string | number | boolean;
export type SearchFilter =
  | { and: SearchFilter[] }
  | { or: SearchFilter[] }
  | { category: string }
  | { brand: string[] }
  | { price: { gte?: number; lte?: number } }
  | { available: boolean }
  | { attribute: string; eq?: FilterScalar; gte?: number; lte?: number };

const ModeSchema = Type.Union([Type.Literal('hybrid'), Type.Literal('keyword'), Type.Literal('vector')]);
const SortSchema = Type.Union([
  Type.Literal('relevance'),
  Type.Literal('price_asc'),
  Type.Literal('price_desc'),
  Type.Literal('newest'),
]);
export const MAX_SEARCH_LIMIT = 100;

export const SearchRequestSchema = Type.Object(
  {
    query: Type.String({ maxLength: 500, description: 'Free text; may be empty when filtering only' }),
    filters: Type.Optional(
      Type.Unknown({
        description:
          'A filter tree: a leaf ({category: "a/b"} path prefix, {brand: "X" | ["X","Y"]}, {price: {gte?, lte?}}, ' +
          '{available: true}, {attribute: "name", eq?: value, gte?: n, lte?: n}) or {and: [...]} / {or: [...]} of trees, ' +
          'at most 4 levels and 64 leaves',
      }),
    ),
    facets: Type.Optional(
      Type.Array(
        Type.String({ pattern: '^(brand|category|available|price|attributes\\.[A-Za-z0-9_.:-]{1,100})$' }),
        {
          maxItems: 20,
          description:
            'Fields to count over all matches: brand, category, available, price, attributes.<name>',
        },
      ),
    ),
    sort: Type.Optional(SortSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEARCH_LIMIT, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 1000 })),
    userId: Type.Optional(IdSchema),
    personalize: Type.Optional(
      Type.Boolean({ description: "With userId: boost by the user's category affinity (default true)" }),
    ),
    mode: Type.Optional(ModeSchema),
  },
  { additionalProperties: false },
);
export type SearchRequest = Static<typeof SearchRequestSchema>;

export const RetrieverSchema = Type.Union([
  Type.Literal('keyword'),
  Type.Literal('vector'),
  Type.Literal('pinned'),
]);
export type Retriever = Static<typeof RetrieverSchema>;

export const SearchHitSchema = Type.Object({
  item: ItemSchema,
  score: Type.Number(),
  retrievers: Type.Array(RetrieverSchema),
});
export type SearchHit = Static<typeof SearchHitSchema>;

export const FacetCountSchema = Type.Object({ value: Type.String(), count: Type.Integer() });

export const SearchResponseSchema = Type.Object({
  searchId: Type.String({
    description: 'Reference it from click and purchase events as properties.searchId',
  }),
  mode: ModeSchema,
  total: Type.Integer({ description: 'Matches after filters and rules' }),
  hits: Type.Array(SearchHitSchema),
  facets: Type.Record(Type.String(), Type.Array(FacetCountSchema)),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  notices: Type.Array(Type.String(), { description: 'E.g. that hybrid fell back to keyword' }),
});
export type SearchResponse = Static<typeof SearchResponseSchema>;

const Term = Type.String({ minLength: 1, maxLength: 100 });
export const SearchRulesSchema = Type.Object(
  {
    synonyms: Type.Array(
      Type.Object(
        {
          terms: Type.Array(Term, { minItems: 1, maxItems: 20 }),
          from: Type.Optional(Term),
        },
        {
          additionalProperties: false,
          description: 'Multi-way: every term stands for the others. One-way: `from` also finds `terms`.',
        },
      ),
      { maxItems: 1000 },
    ),
    curations: Type.Array(
      Type.Object(
        {
          query: Type.String({ minLength: 1, maxLength: 500 }),
          pin: Type.Optional(
            Type.Array(IdSchema, { maxItems: 50, description: 'Shown first, in this order' }),
          ),
          hide: Type.Optional(Type.Array(IdSchema, { maxItems: 500 })),
        },
        { additionalProperties: false, description: 'Applies when the normalized query equals `query`' },
      ),
      { maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);
export type SearchRules = Static<typeof SearchRulesSchema>;
