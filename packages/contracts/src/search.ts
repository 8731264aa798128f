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
  | { price: FilterRange }
  | { available: boolean }
  | ({ attribute: string; eq?: FilterScalar } & FilterRange);
/** Inclusive (`gte`, `lte`) and exclusive (`gt`, `lt`) bounds. */
export type FilterRange = { gte?: number; lte?: number; gt?: number; lt?: number };

const ModeSchema = Type.Union([Type.Literal('hybrid'), Type.Literal('keyword'), Type.Literal('vector')]);
const SortSchema = Type.Union([
  Type.Literal('relevance'),
  Type.Literal('price_asc'),
  Type.Literal('price_desc'),
  Type.Literal('newest'),
]);
export const MAX_SEARCH_LIMIT = 100;
export const MAX_SEARCH_PAGE = 1000;

export const SearchRequestSchema = Type.Object(
  {
    query: Type.String({ maxLength: 500, description: 'Free text; may be empty when filtering only' }),
    filters: Type.Optional(
      Type.Unknown({
        description:
          'A filter tree: a leaf ({category: "a/b"} path prefix, {brand: "X" | ["X","Y"]}, {price: {gte?, lte?, gt?, lt?}}, ' +
          '{available: true}, {attribute: "name", eq?: value, gte?, lte?, gt?, lt?}) or {and: [...]} / {or: [...]} of trees, ' +
          'at most 4 levels and 64 leaves. Or the same as a string: `brand:Acme && price:<100`, ' +
          '`(category:home/lighting || brand:[Acme, "Sonic Co"]) && available:true && color:red && weight:1..5`',
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
    page: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_SEARCH_PAGE,
        description: 'Numbered paging (1 = first), instead of a cursor; the answer carries totalPages',
      }),
    ),
    hitsPerPage: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_SEARCH_LIMIT,
        description: 'Another name for limit; wins when both are sent',
      }),
    ),
    highlight: Type.Optional(
      Type.Boolean({
        description:
          'Mark the query words (as matched: stems, typos, prefixes, synonyms) in title and brand with <mark>, ' +
          'and a description snippet around the first match (text HTML-escaped)',
      }),
    ),
    facetStats: Type.Optional(
      Type.Array(Type.String({ pattern: '^(price|attributes\\.[A-Za-z0-9_.:-]{1,100})$' }), {
        maxItems: 20,
        description: 'Numeric fields to summarize over all matches (min, max, avg, sum, count)',
      }),
    ),
    userId: Type.Optional(IdSchema),
    personalize: Type.Optional(
      Type.Boolean({ description: "With userId: boost by the user's category affinity (default true)" }),
    ),
    mode: Type.Optional(ModeSchema),
    explain: Type.Optional(
      Type.Boolean({
        description:
          "Each hit's score parts (keyword BM25, vector similarity, fusion, second phase); needs an admin key",
      }),
    ),
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

export const HighlightsSchema = Type.Object(
  {
    title: Type.Optional(Type.String()),
    brand: Type.Optional(Type.String()),
    snippet: Type.Optional(Type.String({ description: 'Words of the description around its first match' })),
  },
  { description: 'HTML-escaped text with the matched words in <mark>…</mark>' },
);

const RankSchema = Type.Integer({
  minimum: 1,
  description: "Position in the retriever's own list before filters (1 = first)",
});
export const ScorePartsSchema = Type.Object(
  {
    keyword: Type.Optional(
      Type.Object(
        { bm25: Type.Number(), rank: RankSchema },
        { description: 'Absent when the keyword retriever did not match it' },
      ),
    ),
    vector: Type.Optional(
      Type.Object(
        { similarity: Type.Number(), rank: RankSchema },
        { description: 'Absent when it is not among the vector candidates' },
      ),
    ),
    fusion: Type.Optional(
      Type.Object(
        {
          method: Type.Union([Type.Literal('rrf'), Type.Literal('weighted')]),
          keyword: Type.Number({ description: "The keyword rank's contribution" }),
          vector: Type.Number({ description: "The vector rank's contribution" }),
          score: Type.Number({ description: 'Their sum: the first-phase score' }),
        },
        { description: 'Hybrid only' },
      ),
    ),
    secondPhase: Type.Optional(
      Type.Object(
        {
          score: Type.Number(),
          ranker: Type.Union([Type.Literal('model'), Type.Literal('built-in')], {
            description: "model: the tenant's ranker endpoint; built-in: the in-process weights",
          }),
          variant: Type.Optional(Type.String({ description: 'The endpoint variant that scored it' })),
        },
        { description: "Hybrid's second phase, when it scored this hit" },
      ),
    ),
    pinned: Type.Optional(Type.Boolean({ description: 'Placed by a curation rule, not by its score' })),
    personalFactor: Type.Optional(
      Type.Number({ description: "The user's category-affinity boost the score was multiplied by" }),
    ),
  },
  { description: 'With explain: true — how this hit was found and scored' },
);
export type ScoreParts = Static<typeof ScorePartsSchema>;

export const SearchHitSchema = Type.Object({
  item: ItemSchema,
  score: Type.Number(),
  retrievers: Type.Array(RetrieverSchema),
  highlights: Type.Optional(HighlightsSchema),
  scoreParts: Type.Optional(ScorePartsSchema),
});
export type SearchHit = Static<typeof SearchHitSchema>;

export const FacetCountSchema = Type.Object({ value: Type.String(), count: Type.Integer() });

export const FacetStatsSchema = Type.Object({
  min: Type.Number(),
  max: Type.Number(),
  avg: Type.Number(),
  sum: Type.Number(),
  count: Type.Integer({ description: 'Matches with a numeric value' }),
});
export type FacetStats = Static<typeof FacetStatsSchema>;

export const SearchResponseSchema = Type.Object({
  searchId: Type.String({
    description: 'Reference it from click and purchase events as properties.searchId',
  }),
  mode: ModeSchema,
  total: Type.Integer({ description: 'Matches after filters and rules' }),
  hits: Type.Array(SearchHitSchema),
  facets: Type.Record(Type.String(), Type.Array(FacetCountSchema)),
  facetStats: Type.Optional(Type.Record(Type.String(), FacetStatsSchema)),
  ranker: Type.Optional(
    Type.Object(
      { endpoint: Type.String(), variant: Type.String(), model: Type.String(), version: Type.String() },
      {
        description:
          "The endpoint variant whose model ranked hybrid's second phase (the searchId carries its token)",
      },
    ),
  ),
  explored: Type.Optional(
    Type.Boolean({
      description:
        "Present and true when this first page was explored (the tenant's `searchExploration`): its ranks 3–20 were shuffled, so hits are not in score order there; the searchId carries it",
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  page: Type.Optional(Type.Integer({ description: 'With numbered paging: this page' })),
  hitsPerPage: Type.Optional(Type.Integer()),
  totalPages: Type.Optional(Type.Integer()),
  notices: Type.Array(Type.String(), { description: 'E.g. that hybrid fell back to keyword' }),
});
export type SearchResponse = Static<typeof SearchResponseSchema>;

export const MAX_MULTI_SEARCH = 10;
export const MultiSearchRequestSchema = Type.Object(
  { searches: Type.Array(SearchRequestSchema, { minItems: 1, maxItems: MAX_MULTI_SEARCH }) },
  { additionalProperties: false },
);
export type MultiSearchRequest = Static<typeof MultiSearchRequestSchema>;
export const MultiSearchResponseSchema = Type.Object({
  results: Type.Array(SearchResponseSchema, { description: 'One answer per search, in order' }),
});
export type MultiSearchResponse = Static<typeof MultiSearchResponseSchema>;

export const FacetValuesRequestSchema = Type.Object(
  {
    facet: Type.String({ pattern: '^(brand|category|available|price|attributes\\.[A-Za-z0-9_.:-]{1,100})$' }),
    facetQuery: Type.String({
      maxLength: 100,
      description: 'Values with a word beginning with it (case and accents ignored); empty: all values',
    }),
    query: Type.Optional(
      Type.String({ maxLength: 500, description: 'Count over the keyword matches of this query' }),
    ),
    filters: Type.Optional(Type.Unknown({ description: 'As in POST /v1/search' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEARCH_LIMIT, default: 10 })),
  },
  { additionalProperties: false },
);
export type FacetValuesRequest = Static<typeof FacetValuesRequestSchema>;
export const FacetValuesResponseSchema = Type.Object({
  facet: Type.String(),
  values: Type.Array(
    Type.Object({
      value: Type.String(),
      count: Type.Integer(),
      highlighted: Type.String({ description: 'HTML-escaped, the matched word beginning in <mark>' }),
    }),
  ),
});
export type FacetValuesResponse = Static<typeof FacetValuesResponseSchema>;

export const SuggestQuerySchema = Type.Object(
  {
    q: Type.String({ maxLength: 200, description: 'What the shopper has typed so far' }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5 })),
  },
  { additionalProperties: false },
);
export const SuggestionSchema = Type.Object({
  text: Type.String(),
  source: Type.Union([Type.Literal('query'), Type.Literal('catalog')], {
    description: "query: shoppers' past searches that found items; catalog: words of matching item titles",
  }),
  count: Type.Integer({ description: 'query: past searches; catalog: matching items' }),
});
export const SuggestResponseSchema = Type.Object({ suggestions: Type.Array(SuggestionSchema) });
export type Suggestion = Static<typeof SuggestionSchema>;
export type SuggestResponse = Static<typeof SuggestResponseSchema>;

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

const DaySchema = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A UTC day, YYYY-MM-DD' });
export const SearchAnalyticsQuerySchema = Type.Object(
  {
    from: Type.Optional(DaySchema),
    to: Type.Optional(DaySchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
);
export type SearchAnalyticsQuery = Static<typeof SearchAnalyticsQuerySchema>;

const Figures = {
  searches: Type.Integer({ description: "'search' events" }),
  noResults: Type.Integer({ description: 'Searches whose answer had no match' }),
  clicked: Type.Integer({ description: 'Searches with at least one click attributed by searchId' }),
  addedToCart: Type.Integer({ description: 'Searches with at least one add_to_cart attributed by searchId' }),
  converted: Type.Integer({ description: 'Searches with at least one purchase attributed by searchId' }),
  clickThroughRate: Type.Number({ description: 'clicked / searches' }),
  conversionRate: Type.Number({ description: 'converted / searches' }),
};
export const SearchAnalyticsSchema = Type.Object({
  from: DaySchema,
  to: DaySchema,
  totals: Type.Object(Figures),
  days: Type.Array(Type.Object({ day: DaySchema, ...Figures })),
  topQueries: Type.Array(Type.Object({ query: Type.String(), ...Figures }), {
    description: 'Most searched first',
  }),
  noResultQueries: Type.Array(Type.Object({ query: Type.String(), searches: Type.Integer() }), {
    description: 'Queries that found nothing, most searched first',
  }),
});
export type SearchAnalytics = Static<typeof SearchAnalyticsSchema>;
export type SearchFigures = Static<(typeof SearchAnalyticsSchema)['properties']['totals']>;

export const SearchStatusSchema = Type.Object({
  items: Type.Integer({ description: "Items in the tenant's keyword index" }),
  vectors: Type.Union([
    Type.Object({
      state: Type.Union(
        [Type.Literal('off'), Type.Literal('cold'), Type.Literal('building'), Type.Literal('ready')],
        {
          description:
            "off: the tenant's `vectors` setting is off (keyword retrieval only); cold: not built on this replica yet (it starts at once); building: no index answers yet (answers carry a `vectors warming` notice)",
        },
      ),
      items: Type.Integer(),
      model: Type.Optional(Type.String()),
      version: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
      building: Type.Optional(
        Type.Union([Type.Integer(), Type.Null()], {
          description: 'An encoder version indexed in the background',
        }),
      ),
    }),
    Type.Null(),
  ]),
});
export type SearchStatus = Static<typeof SearchStatusSchema>;
