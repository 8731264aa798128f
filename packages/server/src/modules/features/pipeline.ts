// One batch of stream messages through the feature store: drop events already applied, plan the updates,
// run them, then mark the events applied. Exactly once per event, except as noted on `createPipeline`.
import type { KvStore, KvWrite } from '../../adapters/kv/index.ts';
import type { StreamMessage } from '../../adapters/stream/index.ts';
import type { Clock } from '../../kernel/index.ts';
import type { CatalogCache } from './catalog-cache.ts';
import type { ViewDef } from './definitions.ts';
import { decodeEvent, type FeatureEvent, tenantOfTopic } from './event.ts';
import { featureKeys } from './keys.ts';
import { Plan, runWrites } from './plan.ts';
import { BASKET_TTL_MS, needsCategories, planTenantEvents } from './planner.ts';
import { batchSlicer, type SliceOptions, type Slicer } from './slice.ts';
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
  /** The applied events' marks, in the order of `applied`. */
  seenKeys: string[];
  /** Built once the updates are made; `visibleAt` is then, when the features became readable. */
  marks?: { visibleAt: number; writes: KvWrite[]; done: boolean[] };
}

export interface PipelineDeps {
  kv: KvStore;
  clock: Clock;
  catalog: CatalogCache;
  views(tenantId: string): Promise<readonly ViewDef[]>;
}

/** How long the pipeline works before the event loop gets a turn (see slice.ts). */
export type PipelineOptions = SliceOptions;

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
export const createPipeline = (deps: PipelineDeps, options: PipelineOptions = {}) => {
  const { kv, clock } = deps;
  const pending = new WeakMap<readonly StreamMessage[], Work>();
  const topics = new Map<string, string>();
  const tenantOf = (topic: string) => {
    let tenantId = topics.get(topic);
    if (tenantId === undefined) {
      tenantId = tenantOfTopic(topic);
      topics.set(topic, tenantId);
    }
    return tenantId;
  };

  const decode = async (batch: readonly StreamMessage[], slicer: Slicer) => {
    const decoded: TenantEvent[] = [];
    for (const m of batch) {
      // The decoded event is a fresh object: it takes its tenant in place (one object per event).
      const e = decodeEvent(m) as TenantEvent | null;
      if (e) {
        e.tenantId = tenantOf(m.topic);
        decoded.push(e);
      }
      if (slicer.due()) await slicer.pause();
    }
    return decoded;
  };

  const prepare = async (batch: readonly StreamMessage[], slicer: Slicer): Promise<Work> => {
    const decoded = await decode(batch, slicer);
    const keys = decoded.map((e) => featureKeys.seen(e.tenantId, e.id));
    const marks = await kv.mget(keys);
    const inBatch = new Set<string>();
    const applied: TenantEvent[] = [];
    const seenKeys: string[] = [];
    decoded.forEach((e, i) => {
      if (marks[i] !== null || inBatch.has(keys[i])) return;
      inBatch.add(keys[i]);
      applied.push(e);
      seenKeys.push(keys[i]);
    });
    const plan = new Plan();
    const nowMs = clock.now();
    for (const [tenantId, events] of byTenant(applied)) {
      const views = await deps.views(tenantId);
      const items = needsCategories(views)
        ? await deps.catalog.items(tenantId, new Set(events.flatMap((e) => (e.itemId ? [e.itemId] : []))))
        : new Map();
      const categoriesOf = (itemId: string) => items.get(itemId)?.categories ?? [];
      await planTenantEvents(kv, plan, { tenantId, views, events, categoriesOf, nowMs }, slicer);
    }
    await plan.mergeTops(kv);
    return {
      applied,
      seenKeys,
      duplicates: decoded.length - applied.length,
      invalid: batch.length - decoded.length,
      lastPosition: batch[batch.length - 1].position,
      plan,
    };
  };

  return async (batch: readonly StreamMessage[]): Promise<BatchOutcome> => {
    const slicer = batchSlicer(batch[0].timestamp, clock.now(), options);
    let work = pending.get(batch);
    if (!work) {
      work = await prepare(batch, slicer);
      pending.set(batch, work);
    }
    await work.plan.run(kv, slicer);
    if (!work.marks) {
      const visibleAt = clock.now();
      const value = String(visibleAt);
      const writes: KvWrite[] = work.applied.map((e, i) => ({
        op: 'set',
        key: work!.seenKeys[i],
        value,
        ttlMs: seenTtlMs(e, visibleAt),
      }));
      work.marks = { visibleAt, writes, done: writes.map(() => false) };
    }
    await runWrites(kv, work.marks.writes, work.marks.done, slicer);
    pending.delete(batch);
    const { applied, duplicates, invalid, lastPosition } = work;
    return { applied, duplicates, invalid, lastPosition, visibleAt: work.marks.visibleAt };
  };
};

export type Pipeline = ReturnType<typeof createPipeline>;
