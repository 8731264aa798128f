// The KV updates a batch of events makes, merged per key. The plan of a batch is kept until the batch
// succeeds, and each update is recorded as done by its index, so a retry skips what an attempt already did.
import type { KvStore } from '../../adapters/kv/index.ts';

/** A lastN entry: event time, log position, event id, value; a list is kept newest first. */
export type TopEntry = [number, number, string, string];

const newestFirst = (a: TopEntry, b: TopEntry) => b[0] - a[0] || b[1] - a[1];

/** Merges entries into a newest-first list of at most `n`, each event once (a replay changes nothing). */
export const mergeTop = (current: readonly TopEntry[], added: readonly TopEntry[], n: number): TopEntry[] => {
  const ids = new Set<string>();
  return [...current, ...added]
    .sort(newestFirst)
    .filter((e) => !ids.has(e[2]) && ids.add(e[2]))
    .slice(0, n);
};

export const encodeTop = (e: TopEntry): string => `${e[0]}|${e[1]}|${encodeURIComponent(e[2])}|${e[3]}`;

export const decodeTop = (s: string): TopEntry => {
  const a = s.indexOf('|');
  const b = s.indexOf('|', a + 1);
  const c = s.indexOf('|', b + 1);
  return [
    Number(s.slice(0, a)),
    Number(s.slice(a + 1, b)),
    decodeURIComponent(s.slice(b + 1, c)),
    s.slice(c + 1),
  ];
};

type Update = (kv: KvStore) => Promise<unknown>;

/** The entry for `key`, made and stored on first use. */
const entry = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
};

const slot = <K, V>(map: Map<string, Map<K, V>>, key: string): Map<K, V> => entry(map, key, () => new Map());

export class Plan {
  private readonly buckets = new Map<string, Map<number, { by: number; ttlMs: number }>>();
  private readonly increments = new Map<string, Map<string, number>>();
  private readonly sets = new Map<string, { fields: Record<string, string>; ttlMs?: number }>();
  private readonly expiries = new Map<string, number>();
  private readonly pushes = new Map<string, { values: string[]; maxLen: number; ttlMs?: number }>();
  private readonly tops = new Map<string, { added: TopEntry[]; n: number }>();
  /** Meta hash key → field → newest event time: raised (never lowered) after the other updates. */
  readonly maxima = new Map<string, Record<string, number>>();
  private built?: { first: Update[]; then: Update[] };
  private readonly done = new Set<Update>();

  incrBucket(key: string, start: number, by: number, ttlMs: number): void {
    const buckets = slot(this.buckets, key);
    const b = buckets.get(start);
    if (b) b.by += by;
    else buckets.set(start, { by, ttlMs });
  }

  hincr(key: string, field: string, by: number, ttlMs?: number): void {
    const fields = slot(this.increments, key);
    fields.set(field, (fields.get(field) ?? 0) + by);
    if (ttlMs !== undefined) this.expiries.set(key, ttlMs);
  }

  /** Idempotent by nature: setting a field twice is setting it once. */
  hset(key: string, field: string, value: string, ttlMs?: number): void {
    entry(this.sets, key, () => ({ fields: {} as Record<string, string>, ttlMs })).fields[field] = value;
  }

  push(key: string, value: string, maxLen: number, ttlMs?: number): void {
    entry(this.pushes, key, () => ({ values: [] as string[], maxLen, ttlMs })).values.push(value);
  }

  /** Adds to a newest-by-event-time list, exact whatever the arrival order (merged by `mergeTops`). */
  top(key: string, top: TopEntry, n: number): void {
    entry(this.tops, key, () => ({ added: [] as TopEntry[], n })).added.push(top);
  }

  /**
   * Turns the added entries into list writes. Entries newer than a list's head (arrival in event-time order,
   * the usual case) are pushed; otherwise the list is read, merged and written whole in one atomic push and
   * trim. Done once per plan, so a retry writes the same.
   */
  async mergeTops(kv: KvStore): Promise<void> {
    const keys = [...this.tops.keys()];
    const heads = await Promise.all(keys.map((key) => kv.lrange(key, 0, 0)));
    const late: string[] = [];
    keys.forEach((key, i) => {
      const { added, n } = this.tops.get(key)!;
      added.sort(newestFirst);
      const oldest = added[added.length - 1];
      const head = heads[i].length > 0 ? decodeTop(heads[i][0]) : undefined;
      if (head && newestFirst(oldest, head) >= 0) late.push(key);
      else this.pushes.set(key, { values: mergeTop([], added, n).reverse().map(encodeTop), maxLen: n });
    });
    const lists = await Promise.all(late.map((key) => kv.lrange(key)));
    late.forEach((key, i) => {
      const { added, n } = this.tops.get(key)!;
      const merged = mergeTop(lists[i].map(decodeTop), added, n);
      this.pushes.set(key, { values: merged.reverse().map(encodeTop), maxLen: merged.length });
    });
  }

  raise(key: string, field: string, ts: number): void {
    const fields = entry(this.maxima, key, () => ({}) as Record<string, number>);
    if (!(fields[field] >= ts)) fields[field] = ts;
  }

  /** The updates, built once; expiries come after the increments that create their keys. */
  private updates(): { first: Update[]; then: Update[] } {
    if (this.built) return this.built;
    const first: Update[] = [];
    for (const [key, buckets] of this.buckets)
      for (const [start, b] of buckets) first.push((kv) => kv.incrBucket(key, start, b.by, b.ttlMs));
    for (const [key, fields] of this.increments)
      for (const [field, by] of fields) first.push((kv) => kv.hincrby(key, field, by));
    for (const [key, s] of this.sets) first.push((kv) => kv.hset(key, s.fields, { ttlMs: s.ttlMs }));
    for (const [key, p] of this.pushes)
      first.push((kv) => kv.lpushTrim(key, p.values, p.maxLen, { ttlMs: p.ttlMs }));
    const then: Update[] = [...this.expiries].map(
      ([key, ttlMs]) =>
        (kv: KvStore) =>
          kv.expire(key, ttlMs),
    );
    this.built = { first, then };
    return this.built;
  }

  /** Runs the updates not done yet, all at once (Redis pipelines them), and records those that succeed. */
  async run(kv: KvStore): Promise<void> {
    const { first, then } = this.updates();
    for (const group of [first, then]) {
      const todo = group.filter((u) => !this.done.has(u));
      const results = await Promise.allSettled(todo.map((u) => u(kv)));
      let failure: unknown;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') this.done.add(todo[i]);
        else failure ??= r.reason;
      });
      if (failure !== undefined) throw failure;
    }
    await raiseMaxima(kv, this.maxima);
  }
}

/** Raises each meta field to the batch's newest time; reading first keeps an older event from lowering it. */
const raiseMaxima = async (kv: KvStore, maxima: Plan['maxima']): Promise<void> => {
  const keys = [...maxima.keys()];
  if (keys.length === 0) return;
  const current = await kv.hgetallMany(keys);
  await Promise.all(
    keys.map((key, i) => {
      const raised: Record<string, string> = {};
      let any = false;
      for (const field in maxima.get(key)!) {
        const ts = maxima.get(key)![field];
        const now = current[i][field];
        if (now === undefined || Number(now) < ts) {
          raised[field] = String(ts);
          any = true;
        }
      }
      return any ? kv.hset(key, raised) : undefined;
    }),
  );
};
