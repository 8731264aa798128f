// A tenant's item events as compact typed arrays (one entry per event, in time order) with item and user
// index maps; the input of every trainer and of the offline evaluation.

/** What an event needs to count as an interaction (a QuiverEvent or a StoredEvent fits). */
export interface InteractionEvent {
  type: string;
  userId: string;
  itemId?: string;
  sessionId?: string;
  timestamp: string;
}

/**
 * How much one event says about a user's interest in an item. A purchase is the strongest signal; views
 * and clicks are weak but plentiful. Other types (search, custom:*) are not item interactions.
 */
export const EVENT_WEIGHTS: Readonly<Record<string, number>> = {
  purchase: 1,
  add_to_cart: 0.5,
  click: 0.25,
  view: 0.1,
};

export interface Interactions {
  /** Index → item id (shared by every subset of the same data). */
  readonly items: readonly string[];
  readonly users: readonly string[];
  /** Number of baskets: a session, or the user's whole history when an event has no session. */
  readonly baskets: number;
  readonly length: number;
  readonly item: Int32Array;
  readonly user: Int32Array;
  readonly basket: Int32Array;
  /** Event time, ms since the epoch; non-decreasing. */
  readonly time: Float64Array;
  readonly weight: Float32Array;
  /** 1 for a purchase (the evaluation's target), else 0. */
  readonly purchase: Uint8Array;
}

const indexer = () => {
  const ids: string[] = [];
  const index = new Map<string, number>();
  return {
    ids,
    of(id: string): number {
      let i = index.get(id);
      if (i === undefined) {
        i = ids.length;
        ids.push(id);
        index.set(id, i);
      }
      return i;
    },
  };
};

/** Collects events in any order; `build()` sorts them by time (stable, so equal times keep their order). */
export const createInteractionsBuilder = () => {
  const items = indexer();
  const users = indexer();
  const baskets = indexer();
  const item: number[] = [];
  const user: number[] = [];
  const basket: number[] = [];
  const time: number[] = [];
  const weight: number[] = [];
  return {
    /** Adds one event; false (ignored) when it is not an item interaction or its time is unreadable. */
    add(e: InteractionEvent): boolean {
      const w = EVENT_WEIGHTS[e.type];
      if (w === undefined || !e.itemId) return false;
      const t = Date.parse(e.timestamp);
      if (!Number.isFinite(t)) return false;
      item.push(items.of(e.itemId));
      user.push(users.of(e.userId));
      basket.push(baskets.of(e.sessionId ? `s:${e.sessionId}` : `u:${e.userId}`));
      time.push(t);
      weight.push(w);
      return true;
    },
    get size() {
      return item.length;
    },
    build(): Interactions {
      // Events replayed from the stream are nearly always in time order already: skip the sort then.
      let sorted = true;
      for (let i = 1; i < time.length && sorted; i++) sorted = time[i - 1] <= time[i];
      const order = Array.from(item.keys());
      if (!sorted) order.sort((a, b) => time[a] - time[b] || a - b);
      const pick = <T extends Int32Array | Float64Array | Float32Array>(out: T, from: number[]): T => {
        order.forEach((k, i) => {
          out[i] = from[k];
        });
        return out;
      };
      const n = order.length;
      const w = pick(new Float32Array(n), weight);
      return {
        items: items.ids,
        users: users.ids,
        baskets: baskets.ids.length,
        length: n,
        item: pick(new Int32Array(n), item),
        user: pick(new Int32Array(n), user),
        basket: pick(new Int32Array(n), basket),
        time: pick(new Float64Array(n), time),
        weight: w,
        purchase: Uint8Array.from(w, (x) => (x === EVENT_WEIGHTS.purchase ? 1 : 0)),
      };
    },
  };
};

export const interactionsOf = (events: Iterable<InteractionEvent>): Interactions => {
  const b = createInteractionsBuilder();
  for (const e of events) b.add(e);
  return b.build();
};

/** The events in [from, to) by position, with the same index maps. */
const slice = (x: Interactions, from: number, to: number): Interactions => ({
  items: x.items,
  users: x.users,
  baskets: x.baskets,
  length: to - from,
  item: x.item.subarray(from, to),
  user: x.user.subarray(from, to),
  basket: x.basket.subarray(from, to),
  time: x.time.subarray(from, to),
  weight: x.weight.subarray(from, to),
  purchase: x.purchase.subarray(from, to),
});

/** First position whose time is ≥ t (events are in time order). */
const lowerBound = (time: Float64Array, t: number): number => {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Events before `t` (train) and at or after it (test), sharing index maps. */
export const splitAt = (x: Interactions, t: number): { train: Interactions; test: Interactions } => {
  const cut = lowerBound(x.time, t);
  return { train: slice(x, 0, cut), test: slice(x, cut, x.length) };
};

/** Events before `t`. */
export const before = (x: Interactions, t: number): Interactions => slice(x, 0, lowerBound(x.time, t));

/** The time that leaves the last `fraction` of the time range as the test period. */
export const holdoutTime = (x: Interactions, fraction: number): number => {
  if (x.length === 0) return 0;
  const first = x.time[0];
  const last = x.time[x.length - 1];
  return last - fraction * (last - first);
};

/** Compressed rows: for each key in [0, n), the positions of its entries in `order[offsets[k]…offsets[k+1])`. */
export interface Groups {
  offsets: Int32Array;
  order: Int32Array;
}

export const groupBy = (keys: Int32Array, n: number): Groups => {
  const offsets = new Int32Array(n + 1);
  for (const k of keys) offsets[k + 1]++;
  for (let k = 0; k < n; k++) offsets[k + 1] += offsets[k];
  const fill = offsets.slice(0, n);
  const order = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) order[fill[keys[i]]++] = i;
  return { offsets, order };
};

/**
 * Per row key (user or basket): its distinct items and a value per item, combining repeated events with
 * `combine` (sum for ALS strengths, max for basket membership). Items of a row keep first-seen order.
 */
export interface SparseRows {
  offsets: Int32Array;
  items: Int32Array;
  values: Float32Array;
}

export const sparseRows = (
  x: Interactions,
  keys: Int32Array,
  n: number,
  combine: 'sum' | 'max',
): SparseRows => {
  const groups = groupBy(keys, n);
  const slot = new Int32Array(x.items.length).fill(-1);
  const offsets = new Int32Array(n + 1);
  const items: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < n; k++) {
    const start = items.length;
    for (let p = groups.offsets[k]; p < groups.offsets[k + 1]; p++) {
      const e = groups.order[p];
      const i = x.item[e];
      const w = x.weight[e];
      if (slot[i] < 0) {
        slot[i] = items.length;
        items.push(i);
        values.push(w);
      } else if (combine === 'sum') values[slot[i]] += w;
      else values[slot[i]] = Math.max(values[slot[i]], w);
    }
    for (let p = start; p < items.length; p++) slot[items[p]] = -1;
    offsets[k + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items), values: Float32Array.from(values) };
};
