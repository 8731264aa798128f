// Point-in-time values computed from the event log with the same definitions as the online store: each
// row sees only events at or before its timestamp (event time), with windows as of that timestamp.
import type { Aggregation, FeatureVector, Item } from '@quiver/contracts';
import type { FeatureDef, ViewDef } from './definitions.ts';
import { type FeatureEvent, fieldOf } from './event.ts';
import { entityKeyOf } from './keys.ts';
import type { Selected } from './select.ts';
import { catalogValue, iso, rankCounts, statusOf } from './values.ts';
import { inWindow } from './windows.ts';

export interface HistoricalRow {
  userId?: string;
  itemId?: string;
  asOfMs: number;
}

export interface HistoricalInput {
  events: readonly FeatureEvent[];
  rows: readonly HistoricalRow[];
  categoriesOf(itemId: string): readonly string[];
  items: ReadonlyMap<string, Item | null>;
}

const matches = (view: ViewDef, agg: Aggregation | undefined, e: FeatureEvent) =>
  (view.spec.source.eventTypes ?? []).includes(e.type) &&
  (!agg?.eventTypes || agg.eventTypes.includes(e.type));

/** Each entity's events for a view, ordered by event time then log position. */
const indexView = (view: ViewDef, events: readonly FeatureEvent[]): Map<string, FeatureEvent[]> => {
  const index = new Map<string, FeatureEvent[]>();
  for (const e of events) {
    const key = matches(view, undefined, e) ? entityKeyOf(view.spec.entity, e) : undefined;
    if (key === undefined) continue;
    const list = index.get(key);
    if (list) list.push(e);
    else index.set(key, [e]);
  }
  for (const list of index.values()) list.sort((a, b) => a.ts - b.ts || a.position - b.position);
  return index;
};

/** For each item, the other items of each session both were bought in, with when the pair was complete. */
const pairsOf = (view: ViewDef, agg: Aggregation, events: readonly FeatureEvent[]) => {
  const sessions = new Map<string, Map<string, number>>();
  for (const e of events) {
    if (!matches(view, agg, e) || !e.sessionId || !e.itemId) continue;
    const firsts = sessions.get(e.sessionId) ?? new Map<string, number>();
    firsts.set(e.itemId, Math.min(firsts.get(e.itemId) ?? Number.POSITIVE_INFINITY, e.ts));
    sessions.set(e.sessionId, firsts);
  }
  const pairs = new Map<string, { other: string; ts: number }[]>();
  for (const firsts of sessions.values()) {
    for (const [a, ta] of firsts)
      for (const [b, tb] of firsts) {
        if (a === b) continue;
        const list = pairs.get(a) ?? [];
        list.push({ other: b, ts: Math.max(ta, tb) });
        pairs.set(a, list);
      }
  }
  return pairs;
};

const aggregate = (
  def: Extract<FeatureDef, { kind: 'agg' }>,
  list: readonly FeatureEvent[],
  end: number,
  asOfMs: number,
  input: HistoricalInput,
  pairs: (agg: Aggregation) => Map<string, { other: string; ts: number }[]>,
  itemId: string | undefined,
): unknown => {
  const { agg, window } = def;
  const hits: FeatureEvent[] = [];
  for (let i = end - 1; i >= 0; i--) {
    const e = list[i];
    if (window && !inWindow(e.ts, asOfMs, window)) break; // older events are older still
    if (!agg.eventTypes || agg.eventTypes.includes(e.type)) hits.push(e); // newest first
  }
  switch (agg.kind) {
    case 'count':
      return hits.length;
    case 'sum':
      return hits.reduce((s, e) => s + ((fieldOf(e, agg.field ?? '') as number | undefined) ?? 0), 0);
    case 'distinctCount':
      return new Set(
        hits
          .map((e) => fieldOf(e, agg.field ?? ''))
          .filter((v) => v !== undefined)
          .map(String),
      ).size;
    case 'categoryCounts': {
      const counts = new Map<string, number>();
      for (const e of hits)
        for (const c of e.itemId ? input.categoriesOf(e.itemId) : []) counts.set(c, (counts.get(c) ?? 0) + 1);
      return rankCounts(counts);
    }
    case 'lastN':
      return hits
        .map((e) => fieldOf(e, agg.field ?? 'itemId'))
        .filter((v) => v !== undefined)
        .slice(0, agg.n ?? 1)
        .map(String);
    case 'lastSeen':
      return hits.length > 0 ? iso(hits[0].ts) : null;
    case 'copurchase': {
      const counts = new Map<string, number>();
      for (const p of pairs(agg).get(itemId ?? '') ?? [])
        if (p.ts <= asOfMs) counts.set(p.other, (counts.get(p.other) ?? 0) + 1);
      return rankCounts(counts, agg.topK);
    }
  }
};

/** The last index whose event time is at or before `asOfMs`, plus one. */
const upperBound = (list: readonly FeatureEvent[], asOfMs: number): number => {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].ts <= asOfMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

export const computeHistorical = (selected: readonly Selected[], input: HistoricalInput): FeatureVector[] => {
  const indexes = new Map<string, Map<string, FeatureEvent[]>>();
  const pairCache = new Map<Aggregation, Map<string, { other: string; ts: number }[]>>();
  return selected.map(({ view, feature }) => {
    const vector: FeatureVector = { values: [], statuses: [], eventTimestamps: [] };
    if (!indexes.has(view.name)) indexes.set(view.name, indexView(view, input.events));
    const index = indexes.get(view.name)!;
    const pairs = (agg: Aggregation) => {
      if (!pairCache.has(agg)) pairCache.set(agg, pairsOf(view, agg, input.events));
      return pairCache.get(agg)!;
    };
    for (const row of input.rows) {
      if (feature.kind === 'field') {
        const c = catalogValue(
          input.items.get(row.itemId ?? ''),
          feature.field,
          view.spec.ttlSeconds,
          row.asOfMs,
        );
        vector.values.push(c.value);
        vector.statuses.push(c.status);
        vector.eventTimestamps.push(c.ts);
        continue;
      }
      const list = index.get(entityKeyOf(view.spec.entity, row) ?? '') ?? [];
      const end = upperBound(list, row.asOfMs);
      const ts = end > 0 ? list[end - 1].ts : undefined;
      const status = statusOf(ts, view.spec.ttlSeconds, row.asOfMs);
      vector.statuses.push(status);
      vector.eventTimestamps.push(ts === undefined ? null : iso(ts));
      vector.values.push(
        status === 'PRESENT' ? aggregate(feature, list, end, row.asOfMs, input, pairs, row.itemId) : null,
      );
    }
    return vector;
  });
};
