// Turns one tenant's new events into KV updates for its event-sourced views (see plan.ts for how they run).
import type { Aggregation, FeatureWindow } from '@quiver/contracts';
import type { KvStore } from '../../adapters/kv/index.ts';
import { BatchKeys, type EntityKeys } from './batch-keys.ts';
import type { ViewDef } from './definitions.ts';
import { type FeatureEvent, fieldOf } from './event.ts';
import { featureKeys } from './keys.ts';
import type { Plan } from './plan.ts';
import type { Slicer } from './slice.ts';
import { bucketStart, bucketTtlMs, windowRange } from './windows.ts';

/** Distinct items remembered per session for co-purchases; a longer session pairs with its newest items. */
export const BASKET_MAX_ITEMS = 50;
/** How long a session's basket is kept after its last purchase (late events of a session still pair). */
export const BASKET_TTL_MS = 2 * 86_400_000;

export interface TenantEvents {
  tenantId: string;
  views: readonly ViewDef[];
  events: readonly FeatureEvent[];
  categoriesOf(itemId: string): readonly string[];
  nowMs: number;
}

const applies = (view: ViewDef, agg: Aggregation | undefined, e: FeatureEvent): boolean =>
  view.spec.source.kind === 'events' &&
  (view.spec.source.eventTypes ?? []).includes(e.type) &&
  (!agg?.eventTypes || agg.eventTypes.includes(e.type));

/** The batch's time, per window: where the current window starts (older buckets are skipped: no read sees them). */
type WindowStarts = Record<FeatureWindow, number>;

const windowStarts = (nowMs: number): WindowStarts => ({
  '1h': windowRange(nowMs, '1h').fromMs,
  '24h': windowRange(nowMs, '24h').fromMs,
  '7d': windowRange(nowMs, '7d').fromMs,
  '30d': windowRange(nowMs, '30d').fromMs,
});

/** `ls:<name>`, the meta field of a lastSeen aggregation, built once per aggregation. */
const lastSeenFields = new WeakMap<Aggregation, string>();
const lastSeenField = (agg: Aggregation): string => {
  let field = lastSeenFields.get(agg);
  if (field === undefined) {
    field = `ls:${agg.name}`;
    lastSeenFields.set(agg, field);
  }
  return field;
};

/** The updates of the `i`-th aggregation of an entity's view for one event. */
const planAggregation = (
  plan: Plan,
  t: TenantEvents,
  from: WindowStarts,
  keys: EntityKeys,
  agg: Aggregation,
  i: number,
  e: FeatureEvent,
) => {
  switch (agg.kind) {
    case 'count':
    case 'sum': {
      const by = agg.kind === 'count' ? 1 : fieldOf(e, agg.field ?? '');
      if (typeof by !== 'number') return;
      for (const w of agg.windows ?? []) {
        const start = bucketStart(e.ts, w);
        if (start >= from[w]) plan.incrBucket(keys.agg(i, w), start, by, bucketTtlMs(w));
      }
      return;
    }
    case 'distinctCount': {
      const value = fieldOf(e, agg.field ?? '');
      if (value === undefined) return;
      for (const w of agg.windows ?? []) {
        const start = bucketStart(e.ts, w);
        if (start >= from[w]) plan.hset(keys.bucket(i, w, start), String(value), '1', bucketTtlMs(w));
      }
      return;
    }
    case 'categoryCounts': {
      const categories = e.itemId === undefined ? [] : t.categoriesOf(e.itemId);
      if (categories.length === 0) return;
      for (const w of agg.windows ?? []) {
        const start = bucketStart(e.ts, w);
        if (start < from[w]) continue;
        const counts = plan.counters(keys.bucket(i, w, start), bucketTtlMs(w));
        for (const c of categories) counts.set(c, (counts.get(c) ?? 0) + 1);
      }
      return;
    }
    case 'lastN': {
      const value = fieldOf(e, agg.field ?? 'itemId');
      if (value !== undefined) plan.top(keys.agg(i), [e.ts, e.position, e.id, String(value)], agg.n ?? 1);
      return;
    }
    case 'lastSeen':
      plan.raise(keys.meta, lastSeenField(agg), e.ts);
      return;
    case 'copurchase':
      return; // needs the session's basket: planCopurchases
  }
};

const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/**
 * Pairs each newly bought item with the distinct items already in its session's basket, both ways. The
 * basket is the stored list (newest first, at most BASKET_MAX_ITEMS) as the batch's pushes change it, so a
 * long session pairs with its newest items however its events fall into batches.
 */
const planCopurchases = async (
  kv: KvStore,
  plan: Plan,
  t: TenantEvents,
  keys: BatchKeys,
  view: ViewDef,
  i: number,
  slicer: Slicer,
) => {
  const agg = view.spec.aggregations![i];
  const sessions = new Map<string, string[]>();
  for (const e of t.events) {
    if (!applies(view, agg, e) || e.sessionId === undefined || e.itemId === undefined) continue;
    const items = sessions.get(e.sessionId);
    if (items) items.push(e.itemId);
    else sessions.set(e.sessionId, [e.itemId]);
  }
  if (sessions.size === 0) return;
  const basketKeys = [...sessions.keys()].map((s) =>
    featureKeys.basket(t.tenantId, view, `${agg.name}|${s}`),
  );
  const stored = await kv.lrangeMany(basketKeys);
  const counters = new Map<string, Map<string, number>>();
  const countsOf = (itemId: string): Map<string, number> => {
    let counts = counters.get(itemId);
    if (counts === undefined) {
      counts = plan.counters(keys.entity(view, { itemId })!.agg(i));
      counters.set(itemId, counts);
    }
    return counts;
  };
  let s = 0;
  for (const items of sessions.values()) {
    const key = basketKeys[s];
    const basket = [...new Set(stored[s++])].reverse(); // oldest first
    const inBasket = new Set(basket);
    for (const item of items) {
      if (inBasket.has(item)) continue;
      const mine = countsOf(item);
      for (const other of basket) {
        bump(mine, other);
        bump(countsOf(other), item);
      }
      basket.push(item);
      inBasket.add(item);
      if (basket.length > BASKET_MAX_ITEMS) inBasket.delete(basket.shift()!);
      plan.push(key, item, BASKET_MAX_ITEMS, BASKET_TTL_MS);
    }
    if (slicer.due()) await slicer.pause();
  }
};

export const planTenantEvents = async (
  kv: KvStore,
  plan: Plan,
  t: TenantEvents,
  slicer: Slicer,
): Promise<void> => {
  const keys = new BatchKeys(t.tenantId);
  const from = windowStarts(t.nowMs);
  for (const e of t.events) {
    for (const view of t.views) {
      if (!applies(view, undefined, e)) continue;
      const entity = keys.entity(view, e);
      if (entity === undefined) continue;
      plan.raise(entity.meta, 'ts', e.ts);
      const aggs = view.spec.aggregations ?? [];
      for (let i = 0; i < aggs.length; i++)
        if (applies(view, aggs[i], e)) planAggregation(plan, t, from, entity, aggs[i], i, e);
    }
    if (slicer.due()) await slicer.pause();
  }
  for (const view of t.views) {
    const aggs = view.spec.aggregations ?? [];
    for (let i = 0; i < aggs.length; i++)
      if (aggs[i].kind === 'copurchase') await planCopurchases(kv, plan, t, keys, view, i, slicer);
  }
};

/** Whether any of these views needs item categories (so the catalog is only read when it matters). */
export const needsCategories = (views: readonly ViewDef[]): boolean =>
  views.some((v) => (v.spec.aggregations ?? []).some((a) => a.kind === 'categoryCounts'));
