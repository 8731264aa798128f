// The KV updates a batch of events makes, merged per key and run as batched writes. The plan of a batch is
// kept until the batch succeeds, and each write is recorded as done, so a retry skips what an attempt did.
import type { KvStore, KvWrite } from '../../adapters/kv/index.ts';
import type { Slicer } from './slice.ts';

/** A lastN entry: event time, log position, event id, value; a list is kept newest first. */
export type TopEntry = [number, number, string, string];

/** Field updates per `writeMany` call: bounds how long one call holds the event loop. */
export const WRITE_CHUNK_FIELDS = 2_000;

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

type Increments = { op: 'hincrby'; key: string; fields: Map<string, number>; ttlMs?: number };
type Sets = { op: 'hset'; key: string; fields: Record<string, string>; ttlMs?: number };
type Push = { op: 'lpushTrim'; key: string; values: string[]; maxLen: number; ttlMs?: number };

const weight = (w: KvWrite): number =>
  w.op === 'hincrby' || w.op === 'hmax'
    ? w.fields.size
    : w.op === 'lpushTrim'
      ? w.values.length
      : w.op === 'hset'
        ? Object.keys(w.fields).length
        : 1;

/**
 * Runs writes in chunks (yielding to the event loop between them when the slice is used up), skipping those
 * marked done and marking those that succeed; throws the first failure once every chunk has run.
 */
export const runWrites = async (
  kv: KvStore,
  writes: readonly KvWrite[],
  done: boolean[],
  slicer: Slicer,
): Promise<void> => {
  let failure: Error | undefined;
  for (let i = 0; i < writes.length; ) {
    const chunk: number[] = [];
    for (let fields = 0; i < writes.length && fields < WRITE_CHUNK_FIELDS; i++) {
      if (done[i]) continue;
      chunk.push(i);
      fields += weight(writes[i]);
    }
    if (chunk.length === 0) continue;
    const results = await kv.writeMany(chunk.map((k) => writes[k]));
    results.forEach((error, k) => {
      if (error === null) done[chunk[k]] = true;
      else failure ??= error;
    });
    await slicer.pause();
  }
  if (failure !== undefined) throw failure;
};

export class Plan {
  private readonly buckets = new Map<string, Map<number, { by: number; ttlMs: number }>>();
  private readonly increments = new Map<string, Increments>();
  private readonly sets = new Map<string, Sets>();
  private readonly pushes = new Map<string, Push>();
  private readonly tops = new Map<string, { added: TopEntry[]; n: number }>();
  /** Meta hash key → field → newest event time: raised (never lowered) after the other updates. */
  private readonly maxima = new Map<string, Map<string, number>>();
  private phases?: { writes: KvWrite[]; done: boolean[] }[];

  incrBucket(key: string, start: number, by: number, ttlMs: number): void {
    let buckets = this.buckets.get(key);
    if (buckets === undefined) {
      buckets = new Map();
      this.buckets.set(key, buckets);
    }
    const b = buckets.get(start);
    if (b) b.by += by;
    else buckets.set(start, { by, ttlMs });
  }

  /** The fields to add to at `key` (co-purchase counting adds many at once); `ttlMs` is set after them. */
  counters(key: string, ttlMs?: number): Map<string, number> {
    let inc = this.increments.get(key);
    if (inc === undefined) {
      inc = { op: 'hincrby', key, fields: new Map() };
      this.increments.set(key, inc);
    }
    if (ttlMs !== undefined) inc.ttlMs = ttlMs;
    return inc.fields;
  }

  hincr(key: string, field: string, by: number, ttlMs?: number): void {
    const fields = this.counters(key, ttlMs);
    fields.set(field, (fields.get(field) ?? 0) + by);
  }

  /** Idempotent by nature: setting a field twice is setting it once. */
  hset(key: string, field: string, value: string, ttlMs?: number): void {
    let set = this.sets.get(key);
    if (set === undefined) {
      set = { op: 'hset', key, fields: {}, ttlMs };
      this.sets.set(key, set);
    }
    set.fields[field] = value;
  }

  push(key: string, value: string, maxLen: number, ttlMs?: number): void {
    const push = this.pushes.get(key);
    if (push) push.values.push(value);
    else this.pushes.set(key, { op: 'lpushTrim', key, values: [value], maxLen, ttlMs });
  }

  /** Adds to a newest-by-event-time list, exact whatever the arrival order (merged by `mergeTops`). */
  top(key: string, top: TopEntry, n: number): void {
    const tops = this.tops.get(key);
    if (tops) tops.added.push(top);
    else this.tops.set(key, { added: [top], n });
  }

  raise(key: string, field: string, ts: number): void {
    const fields = this.maxima.get(key);
    if (fields === undefined) this.maxima.set(key, new Map([[field, ts]]));
    else if (!(fields.get(field)! >= ts)) fields.set(field, ts);
  }

  /**
   * Turns the added entries into list writes. Entries newer than a list's head (arrival in event-time order,
   * the usual case) are pushed; otherwise the list is read, merged and written whole in one atomic push and
   * trim. Done once per plan, so a retry writes the same.
   */
  async mergeTops(kv: KvStore): Promise<void> {
    const keys = [...this.tops.keys()];
    const heads = await kv.lrangeMany(keys, 0, 0);
    const late: string[] = [];
    keys.forEach((key, i) => {
      const { added, n } = this.tops.get(key)!;
      added.sort(newestFirst);
      const oldest = added[added.length - 1];
      const head = heads[i].length > 0 ? decodeTop(heads[i][0]) : undefined;
      if (head && newestFirst(oldest, head) >= 0) late.push(key);
      else {
        const values = mergeTop([], added, n).reverse().map(encodeTop);
        this.pushes.set(key, { op: 'lpushTrim', key, values, maxLen: n });
      }
    });
    const lists = await kv.lrangeMany(late);
    late.forEach((key, i) => {
      const { added, n } = this.tops.get(key)!;
      const merged = mergeTop(lists[i].map(decodeTop), added, n);
      const values = merged.reverse().map(encodeTop);
      this.pushes.set(key, { op: 'lpushTrim', key, values, maxLen: merged.length });
    });
  }

  /** The writes, built once: the updates, then the meta times that make them count as present. */
  private build(): { writes: KvWrite[]; done: boolean[] }[] {
    if (this.phases) return this.phases;
    const updates: KvWrite[] = [];
    for (const [key, buckets] of this.buckets)
      for (const [bucketStartMs, b] of buckets)
        updates.push({ op: 'incrBucket', key, bucketStartMs, by: b.by, ttlMs: b.ttlMs });
    updates.push(...this.increments.values(), ...this.sets.values(), ...this.pushes.values());
    const maxima: KvWrite[] = [];
    for (const [key, fields] of this.maxima) maxima.push({ op: 'hmax', key, fields });
    this.phases = [updates, maxima].map((writes) => ({ writes, done: writes.map(() => false) }));
    return this.phases;
  }

  /** Runs the writes not done yet; the meta times only once every update is made. */
  async run(kv: KvStore, slicer: Slicer): Promise<void> {
    for (const phase of this.build()) await runWrites(kv, phase.writes, phase.done, slicer);
  }
}
