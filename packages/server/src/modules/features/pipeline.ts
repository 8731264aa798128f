// One batch of stream messages through the feature store: drop events already applied, plan the updates,
// run them, then mark the events applied. Exactly once per event, except as noted on `createPipeline`.
import type { KvStore } from '../../adapters/kv/index.ts';
import type { StreamMessage } from '../../adapters/stream/index.ts';
import type { Clock } from '../../kernel/index.ts';
import type { CatalogCache } from './catalog-cache.ts';
import type { ViewDef } from './definitions.ts';
import { decodeEvent, type FeatureEvent, tenantOfTopic } from './event.ts';
import { featureKeys } from './keys.ts';
import { Plan } from './plan.ts';
import { BASKET_TTL_MS, needsCategories, planTenantEvents } from './planner.ts';
import { LONGEST_WINDOW_MS } from './windows.ts';

/** An applied event's marker outlives every window it can count in, so a late redelivery is still caught. */
export const SEEN_TTL_MS = LONGEST_WINDOW_MS + 5 * 86_400_000;
/**
 * The shortest marker life, for events already older than every window (an imported history): all they
 * still change is idempotent (lastN, last-seen times) or guarded by a session basket living this long.
 */
export const MIN_SEEN_TTL_MS = BASKET_TTL_MS;

const seenTtlMs = (e: FeatureEvent, nowMs: number): number =>
  Math.round(Math.min(SEEN_TTL_MS, Math.max(MIN_SEEN_TTL_MS, e.ts + SEEN_TTL_MS - nowMs)));

export interface TenantEvent extends FeatureEvent {
  tenantId: string;
}

export interface BatchOutcome {
  /** Events applied by this batch (not seen before). */
  applied: TenantEvent[];
  duplicates: number;
  invalid: number;
  /** When the updates became readable, epoch ms. */
  visibleAt: number;
  lastPosition: number;
}

interface Work extends Omit<BatchOutcome, 'visibleAt'> {
  plan: Plan;
}

export interface PipelineDeps {
  kv: KvStore;
  clock: Clock;
  catalog: CatalogCache;
  views(tenantId: string): Promise<readonly ViewDef[]>;
}

const byTenant = (events: readonly TenantEvent[]): Map<string, TenantEvent[]> => {
  const out = new Map<string, TenantEvent[]>();
  for (const e of events) {
    const list = out.get(e.tenantId);
    if (list) list.push(e);
    else out.set(e.tenantId, [e]);
  }
  return out;
};

/**
 * A retried batch (the same array, after a failed attempt in this process) reuses its plan and skips the
 * updates already made, so a failing KV never double counts. An event is marked applied only after all
 * its updates, so a redelivered one is skipped. What remains: a process that dies between an update and
 * the marks on Redis can count that batch twice (the in-process store is rebuilt from the log instead).
 */
export const createPipeline = (deps: PipelineDeps) => {
  const { kv, clock } = deps;
  const pending = new WeakMap<readonly StreamMessage[], Work>();

  const prepare = async (batch: readonly StreamMessage[]): Promise<Work> => {
    const decoded: TenantEvent[] = [];
    let invalid = 0;
    for (const m of batch) {
      const e = decodeEvent(m);
      if (e) decoded.push({ ...e, tenantId: tenantOfTopic(m.topic) });
      else invalid++;
    }
    const marks = await kv.mget(decoded.map((e) => featureKeys.seen(e.tenantId, e.id)));
    const inBatch = new Set<string>();
    const applied = decoded.filter((e, i) => {
      const key = `${e.tenantId}\u0000${e.id}`;
      if (marks[i] !== null || inBatch.has(key)) return false;
      inBatch.add(key);
      return true;
    });
    const plan = new Plan();
    const nowMs = clock.now();
    for (const [tenantId, events] of byTenant(applied)) {
      const views = await deps.views(tenantId);
      const items = needsCategories(views)
        ? await deps.catalog.items(tenantId, new Set(events.flatMap((e) => (e.itemId ? [e.itemId] : []))))
        : new Map();
      const categoriesOf = (itemId: string) => items.get(itemId)?.categories ?? [];
      await planTenantEvents(kv, plan, { tenantId, views, events, categoriesOf, nowMs });
    }
    await plan.mergeTops(kv);
    return {
      applied,
      duplicates: decoded.length - applied.length,
      invalid,
      lastPosition: batch[batch.length - 1].position,
      plan,
    };
  };

  return async (batch: readonly StreamMessage[]): Promise<BatchOutcome> => {
    let work = pending.get(batch);
    if (!work) {
      work = await prepare(batch);
      pending.set(batch, work);
    }
    await work.plan.run(kv);
    const visibleAt = clock.now();
    await Promise.all(
      work.applied.map((e) =>
        kv.set(featureKeys.seen(e.tenantId, e.id), String(visibleAt), { ttlMs: seenTtlMs(e, visibleAt) }),
      ),
    );
    pending.delete(batch);
    const { plan: _plan, ...outcome } = work;
    return { ...outcome, visibleAt };
  };
};

export type Pipeline = ReturnType<typeof createPipeline>;
