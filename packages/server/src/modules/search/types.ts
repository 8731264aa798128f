// The search service's interface: what routes, the recommend module and the app use.
import type { Item, SearchRequest, SearchResponse, SearchRules } from '@quiver/contracts';
import type { Filter } from './filters.ts';

/** Keyword, vector and hybrid search over per-tenant in-memory indexes kept current from the catalog feed. */
export interface SearchService {
  /** Starts the consumer that applies catalog changes to built indexes. */
  start(): Promise<void>;
  /** Stops the consumer (and any warm-up still going). */
  stop(): Promise<void>;
  /** Builds these tenants' indexes now rather than on their first search, one after another. */
  warm(tenantIds: Iterable<string>): Promise<void>;
  /**
   * `filter` is the request's filters already parsed and combined with a scoped key's (see
   * withEmbeddedFilters); by default the request's own.
   */
  search(tenantId: string, request: SearchRequest, filter?: Filter): Promise<SearchResponse>;
  /**
   * The tenant's items by id: its in-memory index, kept current by the catalog sync (read it, do not
   * change it). Builds the index on first use, like a search.
   */
  items(tenantId: string): Promise<ReadonlyMap<string, Item>>;
  /** The tenant's synonyms, pinned and hidden items. */
  getRules(tenantId: string): Promise<SearchRules>;
  /** Replaces the tenant's rules. */
  putRules(tenantId: string, rules: SearchRules): Promise<SearchRules>;
}
