// Each tenant's in-memory search state (the items and their keyword index), built from the catalog at
// warm-up, on first use or on a new tenant's first change, then kept current by applying changed item ids,
// one change at a time per tenant.
import type { Item } from '@quiver/contracts';
import { CoverageTerms, coverageOfTerms } from './coverage-terms.ts';
import { FacetIndex } from './facets.ts';
import { FIELDS, type KeywordDoc, KeywordIndex } from './keyword-index.ts';
import { FieldTerms } from './ranker-features.ts';
import type { CoverageOf } from './rerank.ts';

/** What the search module needs of the catalog module (its service's `getMany` and `list`). */
export interface CatalogSource {
  /** The items with these ids that exist (absent ones left out). */
  getMany(tenantId: string, ids: readonly string[]): Promise<Item[]>;
  list(
    tenantId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Item[]; nextCursor: string | null }>;
}

const PAGE = 1000;

/** The searchable text of an item, by field (string attribute values are text; numbers are not). */
export const keywordDoc = (item: Item): KeywordDoc => ({
  title: item.title,
  brand: item.brand,
  description: item.description,
  categories: item.categories?.map((c) => c.replaceAll('/', ' ')).join(' '),
  attributes: Object.values(item.attributes ?? {})
    .flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v : []))
    .join(' '),
});

/** Whether two items' searchable text is the same field for field (coverage reads a subset of it). */
const sameDoc = (a: KeywordDoc, b: KeywordDoc): boolean => FIELDS.every((field) => a[field] === b[field]);

export class TenantIndex {
  readonly items = new Map<string, Item>();
  readonly keyword = new KeywordIndex();
  /** The second phase's coverage terms of each item, by its keyword document number. */
  readonly coverage = new CoverageTerms();
  /** The second phase's coverage of the items, for a query's terms. */
  readonly coverageOf: CoverageOf = coverageOfTerms(this.coverage, (id) => this.keyword.numberOf(id));
  /** The wide ranker features' title, brand and category terms of each item. */
  readonly fields = new FieldTerms();
  /** Facet value ids of each item version, for counting on typed arrays. */
  readonly facets = new FacetIndex();
  /** The item ids in order (a browse's ranking), kept until an item is added or removed. */
  private sorted: string[] | undefined;
  /**
   * The items by keyword document number (`itemAt`): a page of keyword matches reads its items by the numbers
   * the index selected, one array read each instead of a lookup by id in `items` (a hash, a bucket and an entry
   * in a 50k-entry map, mostly cache misses).
   */
  private readonly byNumber: Array<Item | undefined> = [];
  private chain: Promise<void> = Promise.resolve();

  /**
   * Sets the item as read from the catalog (steps are serial, so the last read is the newest state). An item
   * whose searchable text did not change (a price or stock update) keeps its keyword, coverage and field-term
   * entries: all are functions of that text alone.
   */
  put(item: Item): void {
    const previous = this.items.get(item.id);
    if (!previous) this.sorted = undefined;
    this.items.set(item.id, item);
    const doc = keywordDoc(item);
    if (previous && sameDoc(keywordDoc(previous), doc)) {
      this.byNumber[this.keyword.numberOf(item.id)!] = item;
      return;
    }
    this.keyword.put(item.id, doc);
    const no = this.keyword.numberOf(item.id)!;
    this.byNumber[no] = item;
    this.coverage.put(no, item);
    this.fields.put(item.id, item);
  }

  remove(id: string): void {
    if (this.items.delete(id)) this.sorted = undefined;
    const no = this.keyword.numberOf(id);
    if (no !== undefined) {
      this.coverage.remove(no);
      this.byNumber[no] = undefined;
    }
    this.keyword.remove(id);
    this.fields.remove(id);
  }

  /** The item with this keyword document number (`keyword.numberOf`), undefined once removed. */
  itemAt(no: number): Item | undefined {
    return this.byNumber[no];
  }

  /** Every item id in code-unit order (do not change the array). */
  sortedIds(): readonly string[] {
    this.sorted ??= [...this.items.keys()].sort();
    return this.sorted;
  }

  /** Runs after every earlier build or apply step of this tenant (one at a time, in order). */
  serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => {});
    return next;
  }
}

export interface TenantIndexes {
  /** The tenant's index, built from the catalog on first call (concurrent callers share the build). */
  get(tenantId: string): Promise<TenantIndex>;
  /**
   * Applies changes by re-reading the items (a deleted one is removed). For a tenant without an index the
   * index is built in the background instead (the build reads the catalog as it is, changes included), so a
   * new tenant's items are searchable on every replica before its first search.
   * An upsert whose version the index already holds is skipped (the build or an earlier read saw it): a
   * tenant's changes arrive in order, and a delete is always re-read, so versions restarting after a
   * re-creation cannot hide a newer state.
   */
  refresh(
    tenantId: string,
    changes: Iterable<{ itemId: string; op?: string; version?: number }>,
  ): Promise<void>;
  built(): string[];
}

/** What the indexes hold once built: tenants and items (the `quiver_search_index*` gauges). */
export interface IndexTotals {
  indexes: number;
  items: number;
}

export interface TenantIndexHooks {
  /** Whether the search still runs (a build stops between pages once it does not). */
  isOpen?(): boolean;
  /** After each build and applied change. */
  onTotals?(totals: IndexTotals): void;
  /** A background build (a new tenant's, started by a change) that failed; the next use tries again. */
  onError?(error: unknown): void;
}

export const createTenantIndexes = (catalog: CatalogSource, hooks: TenantIndexHooks = {}): TenantIndexes => {
  const isOpen = hooks.isOpen ?? (() => true);
  const indexes = new Map<string, { index: TenantIndex; ready: Promise<void>; built: boolean }>();

  const report = () => {
    if (!hooks.onTotals) return;
    let built = 0;
    let items = 0;
    for (const entry of indexes.values())
      if (entry.built) {
        built++;
        items += entry.index.items.size;
      }
    hooks.onTotals({ indexes: built, items });
  };

  const build = async (tenantId: string, index: TenantIndex) => {
    let cursor: string | undefined;
    do {
      if (!isOpen()) throw new Error('search is stopped');
      const page = await catalog.list(tenantId, PAGE, cursor);
      for (const item of page.items) index.put(item);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    index.keyword.compact();
  };

  const entryOf = (tenantId: string) => {
    let entry = indexes.get(tenantId);
    if (!entry) {
      const index = new TenantIndex();
      const made = { index, ready: index.serial(() => build(tenantId, index)), built: false };
      indexes.set(tenantId, made);
      made.ready.then(
        () => {
          made.built = true;
          report();
        },
        // A failed build is forgotten so the next search tries again.
        () => indexes.delete(tenantId),
      );
      entry = made;
    }
    return entry;
  };

  return {
    async get(tenantId) {
      const entry = entryOf(tenantId);
      await entry.ready;
      return entry.index;
    },

    async refresh(tenantId, changes) {
      const entry = indexes.get(tenantId);
      if (!entry) {
        if (!isOpen()) return;
        entryOf(tenantId).ready.catch((error) => hooks.onError?.(error));
        return;
      }
      const list = [...changes];
      await entry.index.serial(async () => {
        const stale = (c: (typeof list)[number]) =>
          c.op === 'delete' ||
          c.version === undefined ||
          (entry.index.items.get(c.itemId)?.version ?? 0) < c.version;
        const unique = new Set(list.filter(stale).map((c) => c.itemId));
        if (unique.size === 0) return;
        // One read for the whole batch (not one per item: a bulk upsert's changes arrive 500 at a time).
        const found = new Map((await catalog.getMany(tenantId, [...unique])).map((item) => [item.id, item]));
        for (const id of unique) {
          const item = found.get(id);
          if (item) entry.index.put(item);
          else entry.index.remove(id);
        }
      });
      report();
    },

    built: () => [...indexes.keys()],
  };
};
