// Sliding windows over event time, aligned to buckets: the one rule the online store, the historical engine
// and the tests share.
import type { FeatureWindow } from '@quiver/contracts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const WINDOW_MS: Record<FeatureWindow, number> = {
  '1h': HOUR_MS,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
};

/** Bucket width per window: 48 to 60 buckets each, so a window read touches a bounded number of keys. */
export const BUCKET_MS: Record<FeatureWindow, number> = {
  '1h': MINUTE_MS,
  '24h': 30 * MINUTE_MS,
  '7d': 3 * HOUR_MS,
  '30d': 12 * HOUR_MS,
};

export const LONGEST_WINDOW_MS = Math.max(...Object.values(WINDOW_MS));

/** Start of the bucket holding `tsMs` (buckets are aligned to the epoch). */
export const bucketStart = (tsMs: number, w: FeatureWindow): number =>
  Math.floor(tsMs / BUCKET_MS[w]) * BUCKET_MS[w];

/**
 * The window as of `asOfMs`: the buckets whose start is in `[fromMs, toMs)`, i.e. the bucket holding
 * `asOfMs` and the ones before it, `WINDOW_MS / BUCKET_MS` in all. A 1h window thus covers 59 to 60 minutes.
 */
export const windowRange = (asOfMs: number, w: FeatureWindow): { fromMs: number; toMs: number } => {
  const current = bucketStart(asOfMs, w);
  return { fromMs: current - WINDOW_MS[w] + BUCKET_MS[w], toMs: current + BUCKET_MS[w] };
};

/** Every bucket start in the window, oldest first. */
export const bucketStarts = (asOfMs: number, w: FeatureWindow): number[] => {
  const { fromMs, toMs } = windowRange(asOfMs, w);
  const out: number[] = [];
  for (let s = fromMs; s < toMs; s += BUCKET_MS[w]) out.push(s);
  return out;
};

/** How long a bucket can still fall in some future window: the KV drops it (and idle keys) after this. */
export const bucketTtlMs = (w: FeatureWindow): number => WINDOW_MS[w] + BUCKET_MS[w];

/** Whether an event at `tsMs` counts in the window as of `asOfMs` (never an event after `asOfMs`). */
export const inWindow = (tsMs: number, asOfMs: number, w: FeatureWindow): boolean => {
  if (tsMs > asOfMs) return false;
  const { fromMs } = windowRange(asOfMs, w);
  return bucketStart(tsMs, w) >= fromMs;
};
