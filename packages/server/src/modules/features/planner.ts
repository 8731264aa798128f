// Turns one tenant's new events into KV updates for its event-sourced views (see plan.ts for how they run).
import type { Aggregation, FeatureWindow } from '@quiver/contracts';
import type { KvStore } from '../../adapters/kv/index.ts';
import type { ViewDef } from './definitions.ts';
import { type FeatureEvent, fieldOf } from './event.ts';
import { entityKeyOf, featureKeys } from './keys.ts';
import type { Plan } from './plan.ts';
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

/** Windowed updates to a bucket already outside the current window are skipped: no read can see them. */
const eachWindow = (
  agg: Aggregation,
  e: FeatureEvent,
  nowMs: number,
  fn: (w: FeatureWindow, start: number) => void,
) => {
  for (const w of agg.windows ?? []) {
    const start = bucketStart(e.ts, w);
    if (start >= windowRange(nowMs, w).fromMs) fn(w, start);
  }
};

const planAggregation = (plan: Plan, t: TenantEvents, base: string, agg: Aggregation, e: FeatureEvent) => {
  const meta = featureKeys.meta(base);
  switch (agg.kind) {
    case 'count':
    case 'sum': {
      const by = agg.kind === 'count' ? 1 : fieldOf(e, agg.field ?? '');
      if (typeof by !== 'number') return;
      eachWindow(agg, e, t.nowMs, (w, start) =>
        plan.incrBucket(featureKeys.agg(base, agg.name, w), start, by, bucketTtlMs(w)),
      );
      return;
    }
    case 'distinctCount': {
      const value = fieldOf(e, agg.field ?? '');
      if (value === undefined) return;
      eachWindow(agg, e, t.nowMs, (w, start) =>
        plan.hset(featureKeys.bucket(base, agg.name, w, start), String(value), '1', bucketTtlMs(w)),
      );
      return;
    }
    case 'categoryCounts': {
      if (e.itemId === undefined) return;
      const categories = t.categoriesOf(e.itemId);
      eachWindow(agg, e, t.nowMs, (w, start) => {
        for (const c of categories)
          plan.hincr(featureKeys.bucket(base, agg.name, w, start), c, 1, bucketTtlMs(w));
      });
      return;
    }
    case 'lastN': {
      const value = fieldOf(e, agg.field ?? 'itemId');
      if (value !== undefined)
        plan.top(featureKeys.agg(base, agg.name), [e.ts, e.position, e.id, String(value)], agg.n ?? 1);
      return;
    }
    case 'lastSeen':
      plan.raise(meta, `ls:${agg.name}`, e.ts);
      return;
    case 'copurchase':
      return; // needs the session's basket: planCopurchases
  }
};

/** Pairs each newly bought item with the distinct items already in its session's basket, both ways. */
const planCopurchases = async (kv: KvStore, plan: Plan, t: TenantEvents, view: ViewDef, agg: Aggregation) => {
  const sessions = new Map<string, FeatureEvent[]>();
  for (const e of t.events) {
    if (!applies(view, agg, e) || e.sessionId === undefined || e.itemId === undefined) continue;
    const session = sessions.get(e.sessionId);
    if (session) session.push(e);
    else sessions.set(e.sessionId, [e]);
  }
  const ids = [...sessions.keys()];
  const basketKey = (s: string) => featureKeys.basket(t.tenantId, view, `${agg.name}|${s}`);
  const pairsKey = (itemId: string) =>
    featureKeys.agg(featureKeys.entity(t.tenantId, view, entityKeyOf('item', { itemId })!), agg.name);
  const baskets = await Promise.all(ids.map((s) => kv.lrange(basketKey(s))));
  ids.forEach((sessionId, i) => {
    const basket = new Set(baskets[i]);
    for (const e of sessions.get(sessionId)!) {
      const item = e.itemId!;
      if (basket.has(item)) continue;
      for (const other of basket) {
        plan.hincr(pairsKey(item), other, 1);
        plan.hincr(pairsKey(other), item, 1);
      }
      basket.add(item);
      plan.push(basketKey(sessionId), item, BASKET_MAX_ITEMS, BASKET_TTL_MS);
    }
  });
};

export const planTenantEvents = async (kv: KvStore, plan: Plan, t: TenantEvents): Promise<void> => {
  for (const e of t.events) {
    for (const view of t.views) {
      if (!applies(view, undefined, e)) continue;
      const entityKey = entityKeyOf(view.spec.entity, e);
      if (entityKey === undefined) continue;
      const base = featureKeys.entity(t.tenantId, view, entityKey);
      plan.raise(featureKeys.meta(base), 'ts', e.ts);
      for (const agg of view.spec.aggregations ?? [])
        if (applies(view, agg, e)) planAggregation(plan, t, base, agg, e);
    }
  }
  for (const view of t.views)
    for (const agg of view.spec.aggregations ?? [])
      if (agg.kind === 'copurchase') await planCopurchases(kv, plan, t, view, agg);
};

/** Whether any of these views needs item categories (so the catalog is only read when it matters). */
export const needsCategories = (views: readonly ViewDef[]): boolean =>
  views.some((v) => (v.spec.aggregations ?? []).some((a) => a.kind === 'categoryCounts'));
