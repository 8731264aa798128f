// Feature keys for one batch of one tenant, each built once: the events of an entity in a batch share them
// (building and hashing key strings was a large part of the consumer's cost).
import type { FeatureWindow } from '@quiver/contracts';
import type { ViewDef } from './definitions.ts';
import { entityKeyOf, featureKeys } from './keys.ts';

/** Slot of a window among an aggregation's keys; slot 0 is the aggregation's own (unwindowed) key. */
const WINDOW_SLOT: Record<FeatureWindow, number> = { '1h': 1, '24h': 2, '7d': 3, '30d': 4 };
const SLOTS_PER_AGG = 5;

/** The keys of one entity in one view (`featureKeys`, remembered), aggregations named by their index. */
export class EntityKeys {
  readonly meta: string;
  private readonly keys: (string | undefined)[] = [];
  private readonly buckets: (string | undefined)[] = [];
  private readonly bucketStarts: number[] = [];

  constructor(
    readonly base: string,
    private readonly view: ViewDef,
  ) {
    this.meta = featureKeys.meta(base);
  }

  private name(agg: number): string {
    return this.view.spec.aggregations![agg].name;
  }

  /** The key of the view's `agg`-th aggregation (in one window, if given). */
  agg(agg: number, window?: FeatureWindow): string {
    const slot = agg * SLOTS_PER_AGG + (window ? WINDOW_SLOT[window] : 0);
    let key = this.keys[slot];
    if (key === undefined) {
      key = featureKeys.agg(this.base, this.name(agg), window);
      this.keys[slot] = key;
    }
    return key;
  }

  /** A bucket's key; the last one per window is remembered (events of a batch mostly share a bucket). */
  bucket(agg: number, window: FeatureWindow, start: number): string {
    const slot = agg * SLOTS_PER_AGG + WINDOW_SLOT[window];
    const last = this.buckets[slot];
    if (last !== undefined && this.bucketStarts[slot] === start) return last;
    const key = featureKeys.bucket(this.base, this.name(agg), window, start);
    this.buckets[slot] = key;
    this.bucketStarts[slot] = start;
    return key;
  }
}

export class BatchKeys {
  private readonly entities = new Map<ViewDef, Map<string, EntityKeys>>();

  constructor(readonly tenantId: string) {}

  /** The keys of the entity `ids` name in the view, or undefined when they lack it. */
  entity(view: ViewDef, ids: { userId?: string; itemId?: string }): EntityKeys | undefined {
    const entity = view.spec.entity;
    const raw =
      entity === 'user'
        ? ids.userId
        : entity === 'item'
          ? ids.itemId
          : ids.userId === undefined || ids.itemId === undefined
            ? undefined
            : `${ids.userId}\u0000${ids.itemId}`;
    if (raw === undefined) return undefined;
    let byId = this.entities.get(view);
    if (byId === undefined) {
      byId = new Map();
      this.entities.set(view, byId);
    }
    let keys = byId.get(raw);
    if (keys === undefined) {
      keys = new EntityKeys(featureKeys.entity(this.tenantId, view, entityKeyOf(entity, ids)!), view);
      byId.set(raw, keys);
    }
    return keys;
  }
}
