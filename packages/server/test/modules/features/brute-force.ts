// Test oracle: a feature's value computed the slowest, plainest way, straight from the definition's words,
// over every event the test published. Shares only the window and bucket sizes with the code under test.
import type { Aggregation, FeatureView, FeatureWindow } from '@quiver/contracts';
import { BUCKET_MS, WINDOW_MS } from '../../../src/modules/features/index.ts';
import type { TestEvent } from './testing.ts';

export interface Expected {
  value: unknown;
  status: 'PRESENT' | 'NOT_FOUND' | 'OUTSIDE_TTL';
  ts: string | null;
}

export interface Row {
  userId?: string;
  itemId?: string;
}

const time = (e: TestEvent) => Date.parse(e.timestamp);
const iso = (ms: number) => new Date(ms).toISOString();
const field = (e: TestEvent, name: string) =>
  (e as unknown as Record<string, string | number | undefined>)[name];

const inWindow = (ts: number, asOf: number, w: FeatureWindow) => {
  const b = BUCKET_MS[w];
  return Math.floor(ts / b) * b >= Math.floor(asOf / b) * b - WINDOW_MS[w] + b;
};

const ranked = (counts: Map<string, number>, limit = Number.POSITIVE_INFINITY) =>
  Object.fromEntries(
    [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit),
  );

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** Which aggregation (and window) a feature name stands for. */
const find = (view: FeatureView, feature: string): { agg: Aggregation; window?: FeatureWindow } => {
  for (const agg of view.aggregations ?? []) {
    if (agg.name === feature) return { agg };
    for (const window of agg.windows ?? []) if (`${agg.name}_${window}` === feature) return { agg, window };
  }
  throw new Error(`no feature ${feature} in ${view.name}`);
};

/** `events` in the order they were published (the log order); duplicates already removed. */
export const expectedValue = (
  events: readonly TestEvent[],
  view: FeatureView,
  feature: string,
  row: Row,
  asOf: number,
  categories: Record<string, string[]>,
): Expected => {
  const mine = events.filter(
    (e) =>
      view.source.eventTypes!.includes(e.type) &&
      time(e) <= asOf &&
      (view.entity === 'item' || e.userId === row.userId) &&
      (view.entity === 'user' || (e.itemId !== undefined && e.itemId === row.itemId)),
  );
  if (mine.length === 0) return { value: null, status: 'NOT_FOUND', ts: null };
  const newest = Math.max(...mine.map(time));
  if (view.ttlSeconds > 0 && asOf - newest > view.ttlSeconds * 1000)
    return { value: null, status: 'OUTSIDE_TTL', ts: iso(newest) };
  const { agg, window } = find(view, feature);
  const hits = mine.filter(
    (e) =>
      (!agg.eventTypes || agg.eventTypes.includes(e.type)) && (!window || inWindow(time(e), asOf, window)),
  );
  const present = (value: unknown): Expected => ({ value, status: 'PRESENT', ts: iso(newest) });
  switch (agg.kind) {
    case 'count':
      return present(hits.length);
    case 'sum':
      return present(hits.reduce((s, e) => s + Number(field(e, agg.field!) ?? 0), 0));
    case 'distinctCount':
      return present(new Set(hits.map((e) => field(e, agg.field!)).filter((v) => v !== undefined)).size);
    case 'categoryCounts': {
      const counts = new Map<string, number>();
      for (const e of hits) for (const c of categories[e.itemId ?? ''] ?? []) bump(counts, c);
      return present(ranked(counts));
    }
    case 'lastN': {
      const order = hits.map((e, i) => ({ e, i })).sort((a, b) => time(b.e) - time(a.e) || b.i - a.i);
      const values = order.map(({ e }) => field(e, agg.field ?? 'itemId')).filter((v) => v !== undefined);
      return present(values.slice(0, agg.n).map(String));
    }
    case 'lastSeen':
      return present(hits.length > 0 ? iso(Math.max(...hits.map(time))) : null);
    case 'copurchase': {
      const baskets = new Map<string, Set<string>>();
      for (const e of events) {
        if (!view.source.eventTypes!.includes(e.type) || !e.sessionId || !e.itemId || time(e) > asOf)
          continue;
        if (agg.eventTypes && !agg.eventTypes.includes(e.type)) continue;
        baskets.set(e.sessionId, (baskets.get(e.sessionId) ?? new Set()).add(e.itemId));
      }
      const counts = new Map<string, number>();
      for (const basket of baskets.values())
        if (basket.has(row.itemId!))
          for (const other of basket) if (other !== row.itemId) bump(counts, other);
      return present(ranked(counts, agg.topK));
    }
  }
};
