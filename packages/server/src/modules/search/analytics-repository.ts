// The SQL of search analytics: searches and their outcomes as the events stream delivers them, and the
// figures read back per day, per query and for queries without results.
import type { SearchAnalytics, SearchFigures } from '@quiver/contracts';
import { type SqlExecutor, type SqlValue, valuesList } from '../../adapters/sql/index.ts';

export interface SearchRow {
  tenantId: string;
  searchId: string;
  /** Normalized (the words joined by spaces). */
  query: string;
  day: string;
  /** Matches of the answer; null when unknown. */
  results: number | null;
}

export interface OutcomeRow {
  tenantId: string;
  eventId: string;
  searchId: string;
  type: 'click' | 'add_to_cart' | 'purchase';
  itemId: string | null;
}

const BATCH_ROWS = 200;

type Counts = {
  searches: unknown;
  no_results: unknown;
  clicked: unknown;
  carted: unknown;
  converted: unknown;
};

// Per search, whether any click, add_to_cart or purchase names it; joined to the searches of the range.
const FIGURES = `COUNT(*) AS searches,
  SUM(CASE WHEN l.results = 0 THEN 1 ELSE 0 END) AS no_results,
  SUM(CASE WHEN o.clicks > 0 THEN 1 ELSE 0 END) AS clicked,
  SUM(CASE WHEN o.carts > 0 THEN 1 ELSE 0 END) AS carted,
  SUM(CASE WHEN o.purchases > 0 THEN 1 ELSE 0 END) AS converted`;
const JOINED = `search_log l LEFT JOIN (
  SELECT search_id,
    SUM(CASE WHEN type = 'click' THEN 1 ELSE 0 END) AS clicks,
    SUM(CASE WHEN type = 'add_to_cart' THEN 1 ELSE 0 END) AS carts,
    SUM(CASE WHEN type = 'purchase' THEN 1 ELSE 0 END) AS purchases
  FROM search_outcomes WHERE tenant_id = $1 GROUP BY search_id) o ON o.search_id = l.search_id
  WHERE l.tenant_id = $1 AND l.day >= $2 AND l.day <= $3`;

export const figuresOf = (c: Counts): SearchFigures => {
  const searches = Number(c.searches ?? 0);
  const clicked = Number(c.clicked ?? 0);
  const converted = Number(c.converted ?? 0);
  return {
    searches,
    noResults: Number(c.no_results ?? 0),
    clicked,
    addedToCart: Number(c.carted ?? 0),
    converted,
    clickThroughRate: searches > 0 ? clicked / searches : 0,
    conversionRate: searches > 0 ? converted / searches : 0,
  };
};

/** Inserts the rows not yet present (by primary key): redelivered events change nothing. */
const insertNew = async <R>(
  db: SqlExecutor,
  into: string,
  cols: number,
  rows: readonly R[],
  values: (row: R) => SqlValue[],
): Promise<void> => {
  for (let i = 0; i < rows.length; i += BATCH_ROWS) {
    const chunk = rows.slice(i, i + BATCH_ROWS);
    await db.execute(
      `INSERT INTO ${into} VALUES ${valuesList(chunk.length, cols)} ON CONFLICT DO NOTHING`,
      chunk.flatMap(values),
    );
  }
};

export const analyticsRepository = {
  writeSearches: (db: SqlExecutor, rows: readonly SearchRow[]) =>
    insertNew(db, 'search_log (tenant_id, search_id, query, day, results)', 5, rows, (r) => [
      r.tenantId,
      r.searchId,
      r.query,
      r.day,
      r.results,
    ]),

  writeOutcomes: (db: SqlExecutor, rows: readonly OutcomeRow[]) =>
    insertNew(db, 'search_outcomes (tenant_id, event_id, search_id, type, item_id)', 5, rows, (r) => [
      r.tenantId,
      r.eventId,
      r.searchId,
      r.type,
      r.itemId,
    ]),

  /** Days `from` … `to` (inclusive, YYYY-MM-DD): the figures per day, the top queries, the no-result ones. */
  async read(
    db: SqlExecutor,
    tenantId: string,
    from: string,
    to: string,
    limit: number,
  ): Promise<Omit<SearchAnalytics, 'from' | 'to' | 'totals'>> {
    const args = [tenantId, from, to];
    const days = await db.query<Counts & { day: string }>(
      `SELECT l.day AS day, ${FIGURES} FROM ${JOINED} GROUP BY l.day ORDER BY l.day`,
      args,
    );
    const top = await db.query<Counts & { query: string }>(
      `SELECT l.query AS query, ${FIGURES} FROM ${JOINED} GROUP BY l.query ORDER BY COUNT(*) DESC, l.query LIMIT ${limit}`,
      args,
    );
    const none = await db.query<{ query: string; searches: unknown }>(
      `SELECT l.query AS query, COUNT(*) AS searches FROM ${JOINED} AND l.results = 0
       GROUP BY l.query ORDER BY COUNT(*) DESC, l.query LIMIT ${limit}`,
      args,
    );
    return {
      days: days.map((r) => ({ day: r.day, ...figuresOf(r) })),
      topQueries: top.map((r) => ({ query: r.query, ...figuresOf(r) })),
      noResultQueries: none.map((r) => ({ query: r.query, searches: Number(r.searches) })),
    };
  },

  /** Past queries beginning with `prefix` (normalized) that found something, most searched first. */
  async popularQueries(
    db: SqlExecutor,
    tenantId: string,
    prefix: string,
    limit: number,
  ): Promise<Array<{ query: string; searches: number }>> {
    const like = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await db.query<{ query: string; searches: unknown }>(
      `SELECT query, COUNT(*) AS searches FROM search_log
       WHERE tenant_id = $1 AND query LIKE $2 ESCAPE '\\' AND (results IS NULL OR results > 0)
       GROUP BY query ORDER BY COUNT(*) DESC, query LIMIT ${limit}`,
      [tenantId, like],
    );
    return rows.map((r) => ({ query: r.query, searches: Number(r.searches) }));
  },
};
