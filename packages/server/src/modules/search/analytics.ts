// Search analytics: a durable consumer of every tenant's events that records 'search' events (query, day,
// and the answer's match count, carried by its searchId) and the clicks, add-to-carts and purchases that
// name a searchId; the figures are read per day, per query and for queries without results.
import type { SearchAnalytics, SearchAnalyticsQuery, StoredEvent } from '@quiver/contracts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import type { Consumer, Stream, StreamMessage } from '../../adapters/stream/index.ts';
import { type Clock, QuiverError } from '../../kernel/index.ts';
import { ALL_EVENTS_FILTER, EVENTS_TOPIC_FAMILY } from '../events/index.ts';
import { type OutcomeRow, analyticsRepository as repo, type SearchRow } from './analytics-repository.ts';
import { normalizeQuery } from './rules.ts';
import { decodeSearchId } from './search-id.ts';

export const ANALYTICS_CONSUMER = 'search-analytics';
const BATCH_SIZE = 500;
const DEFAULT_DAYS = 30;
const DEFAULT_LIMIT = 10;
const DAY_MS = 86_400_000;
const OUTCOMES = new Set(['click', 'add_to_cart', 'purchase']);

const dayOf = (timestamp: string | undefined, fallback: number): string => {
  const at = Date.parse(timestamp ?? '');
  return new Date(Number.isNaN(at) ? fallback : at).toISOString().slice(0, 10);
};

/** The rows one event contributes (none for most events). */
export const analyticsRows = (m: StreamMessage): { search?: SearchRow; outcome?: OutcomeRow } => {
  const tenantId = m.topic.slice(EVENTS_TOPIC_FAMILY.length + 1);
  let e: Partial<StoredEvent>;
  try {
    e = m.json<Partial<StoredEvent>>();
  } catch {
    return {};
  }
  if (typeof e.id !== 'string') return {};
  const searchId = e.properties?.searchId;
  if (e.type === 'search' && typeof e.query === 'string') {
    const id = typeof searchId === 'string' ? searchId : `event:${e.id}`;
    const told = e.properties?.total;
    const results =
      typeof told === 'number'
        ? told
        : typeof searchId === 'string'
          ? decodeSearchId(searchId)?.total
          : undefined;
    return {
      search: {
        tenantId,
        searchId: id,
        query: normalizeQuery(e.query).slice(0, 500),
        day: dayOf(e.timestamp, m.timestamp),
        results: results ?? null,
      },
    };
  }
  if (typeof e.type === 'string' && OUTCOMES.has(e.type) && typeof searchId === 'string')
    return {
      outcome: {
        tenantId,
        eventId: e.id,
        searchId,
        type: e.type as OutcomeRow['type'],
        itemId: typeof e.itemId === 'string' ? e.itemId : null,
      },
    };
  return {};
};

export const createSearchAnalytics = (deps: {
  db: SqlDatabase;
  stream: Stream;
  clock: Clock;
  onError?: (error: unknown) => void;
}) => {
  let consumer: Consumer | undefined;
  const handle = async (batch: readonly StreamMessage[]) => {
    const searches: SearchRow[] = [];
    const outcomes: OutcomeRow[] = [];
    for (const m of batch) {
      const { search, outcome } = analyticsRows(m);
      if (search) searches.push(search);
      if (outcome) outcomes.push(outcome);
    }
    if (searches.length > 0) await repo.writeSearches(deps.db, searches);
    if (outcomes.length > 0) await repo.writeOutcomes(deps.db, outcomes);
  };
  return {
    async start(): Promise<void> {
      consumer = await deps.stream.consume(ANALYTICS_CONSUMER, ALL_EVENTS_FILTER, handle, {
        batchSize: BATCH_SIZE,
        onError: deps.onError,
      });
    },
    async stop(): Promise<void> {
      await consumer?.stop();
      consumer = undefined;
    },

    /** The last 30 days (to today, UTC) unless told. */
    async read(tenantId: string, q: SearchAnalyticsQuery): Promise<SearchAnalytics> {
      const to = q.to ?? new Date(deps.clock.now()).toISOString().slice(0, 10);
      const from =
        q.from ?? new Date(Date.parse(to) - (DEFAULT_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
      if (from > to)
        throw new QuiverError('validation_failed', 'from is after to', {
          errors: [{ path: '/from', message: 'must not be after to' }],
        });
      const read = await repo.read(deps.db, tenantId, from, to, q.limit ?? DEFAULT_LIMIT);
      const sum = (k: 'searches' | 'noResults' | 'clicked' | 'addedToCart' | 'converted') =>
        read.days.reduce((s, d) => s + d[k], 0);
      const searches = sum('searches');
      const totals = {
        searches,
        noResults: sum('noResults'),
        clicked: sum('clicked'),
        addedToCart: sum('addedToCart'),
        converted: sum('converted'),
        clickThroughRate: searches > 0 ? sum('clicked') / searches : 0,
        conversionRate: searches > 0 ? sum('converted') / searches : 0,
      };
      return { from, to, totals, ...read };
    },

    popularQueries: (tenantId: string, prefix: string, limit: number) =>
      repo.popularQueries(deps.db, tenantId, prefix, limit),
  };
};

export type SearchAnalyticsService = ReturnType<typeof createSearchAnalytics>;
