// Evaluation splits: a global time split (train before T, test from T) and a per-user leave-last-out split
// (each user's last baskets held out), each with the validation split that tunes parameters without reading
// the test part.
import { before, groupBy, type Interactions, splitAt } from './interactions.ts';

export type SplitSpec =
  /** Train before `at`, test from it; validation: the `validationDays` before `at`. */
  | { kind: 'time'; at: number; validationDays: number }
  /** Each user's last `lastK` baskets, or the last `fraction` of them (at least one), held out. */
  | { kind: 'per-user'; lastK?: number; fraction?: number };

export interface Split {
  train: Interactions;
  test: Interactions;
  /** Per-user split: each user's test start (ms, by user index), from which context ages count. */
  asOf?: Float64Array;
  /** Per-user split: users with a single basket, who keep it for training and are not evaluated. */
  singleBasketUsers?: number;
}

const DAY_MS = 86_400_000;

/** The entries where `keep[e]` is 1, in order, with the same index maps (a copy). */
export const subset = (x: Interactions, keep: Uint8Array): Interactions => {
  let n = 0;
  for (let e = 0; e < x.length; e++) n += keep[e];
  const pick = <T extends Int32Array | Float64Array | Float32Array | Uint8Array>(from: T, out: T): T => {
    let k = 0;
    for (let e = 0; e < x.length; e++) if (keep[e]) out[k++] = from[e];
    return out;
  };
  return {
    items: x.items,
    users: x.users,
    baskets: x.baskets,
    length: n,
    item: pick(x.item, new Int32Array(n)),
    user: pick(x.user, new Int32Array(n)),
    basket: pick(x.basket, new Int32Array(n)),
    time: pick(x.time, new Float64Array(n)),
    weight: pick(x.weight, new Float32Array(n)),
    purchase: pick(x.purchase, new Uint8Array(n)),
  };
};

/** How many of a user's `n` baskets are held out (0: the user is not split). */
export const heldOut = (n: number, spec: { lastK?: number; fraction?: number }): number => {
  if (n < 2) return 0;
  const k = spec.lastK ?? Math.max(1, Math.round((spec.fraction ?? 0) * n));
  return Math.min(k, n - 1);
};

/**
 * Leave-last-out: a user's baskets ordered by their first event; the last ones (`heldOut`) go to test, with
 * every event of theirs from the first held-out basket's start on. Users with one basket stay in train.
 */
export const perUserSplit = (x: Interactions, spec: { lastK?: number; fraction?: number }): Split => {
  const byUser = groupBy(x.user, x.users.length);
  const keepTrain = new Uint8Array(x.length).fill(1);
  const asOf = new Float64Array(x.users.length).fill(Number.POSITIVE_INFINITY);
  let single = 0;
  for (let u = 0; u < x.users.length; u++) {
    const from = byUser.offsets[u];
    const to = byUser.offsets[u + 1];
    if (to === from) continue;
    // Baskets in order of first appearance (events are in time order, so positions are).
    const starts: number[] = [];
    const seen = new Set<number>();
    for (let p = from; p < to; p++) {
      const e = byUser.order[p];
      if (!seen.has(x.basket[e])) {
        seen.add(x.basket[e]);
        starts.push(x.time[e]);
      }
    }
    const k = heldOut(starts.length, spec);
    if (k === 0) {
      single++;
      continue;
    }
    const cut = starts[starts.length - k];
    asOf[u] = cut;
    for (let p = from; p < to; p++) {
      const e = byUser.order[p];
      if (x.time[e] >= cut) keepTrain[e] = 0;
    }
  }
  const keepTest = keepTrain.map((k) => 1 - k);
  return { train: subset(x, keepTrain), test: subset(x, keepTest), asOf, singleBasketUsers: single };
};

/** The test split of a spec. */
export const splitOf = (x: Interactions, spec: SplitSpec): Split =>
  spec.kind === 'time' ? splitAt(x, spec.at) : perUserSplit(x, spec);

/**
 * The validation split of a spec: only what the test split trains on, split the same way again (the
 * `validationDays` before T for a time split; each user's last train baskets for a per-user split).
 */
export const validationOf = (x: Interactions, spec: SplitSpec): Split =>
  spec.kind === 'time'
    ? splitAt(before(x, spec.at), spec.at - spec.validationDays * DAY_MS)
    : perUserSplit(perUserSplit(x, spec).train, spec);
