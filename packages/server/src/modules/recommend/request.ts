// A recommendation request checked beyond its schema (what each scenario needs, filters and boosts parsed)
// and turned into the plan the service runs.
import {
  DEFAULT_RECOMMENDATION_LIMIT,
  type RecommendationRequest,
  type RecommendationScenario,
} from '@quiver/contracts';
import { type FieldError, QuiverError } from '../../kernel/index.ts';
import { type Filter, parseFilter } from '../search/index.ts';

export interface Plan {
  scenario: RecommendationScenario;
  /** The query item(s): similar-items and bought-together. */
  seeds: string[];
  userId?: string;
  sessionId?: string;
  limit: number;
  filter?: Filter;
  /** trending: the category path the items must lie in. */
  category?: string;
  exclude: Set<string>;
  excludePurchased: boolean;
  boosts: { filter: Filter; factor: number }[];
  diversity?: { field: 'category' | 'brand'; maxPerValue: number };
  explain: boolean;
}

const invalid = (errors: FieldError[]): never => {
  throw new QuiverError('validation_failed', errors.map((e) => `${e.path} ${e.message}`).join('; '), {
    errors,
  });
};

/**
 * The plan of a request; throws validation_failed naming each field a scenario needs or cannot take.
 * `filter`, when given, is the effective filter already parsed from `filters` (with a scoped key's).
 */
export const planOf = (r: RecommendationRequest, filter?: Filter): Plan => {
  const errors: FieldError[] = [];
  const seeds = [...new Set([...(r.itemId === undefined ? [] : [r.itemId]), ...(r.itemIds ?? [])])];
  switch (r.scenario) {
    case 'similar-items':
    case 'bought-together':
      if (seeds.length === 0) errors.push({ path: '/itemId', message: `is required for ${r.scenario}` });
      break;
    case 'for-user':
      if (r.userId === undefined && r.sessionId === undefined)
        errors.push({ path: '/userId', message: 'is required for for-user (or give sessionId)' });
      break;
    case 'trending':
      break;
  }
  if (r.category !== undefined && r.scenario !== 'trending')
    errors.push({ path: '/category', message: 'is only for trending (use filters for the others)' });
  if (errors.length > 0) invalid(errors);
  return {
    scenario: r.scenario,
    seeds,
    userId: r.userId,
    sessionId: r.sessionId,
    limit: r.limit ?? DEFAULT_RECOMMENDATION_LIMIT,
    filter: filter ?? (r.filters === undefined ? undefined : parseFilter(r.filters, '/filters')),
    category: r.category?.replace(/\/+$/, ''),
    exclude: new Set(r.exclude ?? []),
    excludePurchased: r.excludePurchased ?? true,
    boosts: (r.boosts ?? []).map((b, i) => ({
      filter: parseFilter(b.filter, `/boosts/${i}/filter`),
      factor: b.factor,
    })),
    diversity: r.diversity,
    explain: r.explain ?? false,
  };
};
