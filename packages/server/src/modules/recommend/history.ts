// A user's history as recommendations read it: from the feature store the recent items (the for-user
// context, newest first, weighted by recency) and the purchased items (left out by default); from the last
// training run the long-term history (every customer the model knows, whatever the age of their events).
import type { FeaturesResponse } from '@quiver/contracts';
import type { GetOnlineFeatures } from '../features/index.ts';
import type { HistoryEntry } from './repository.ts';

export const RECENT_ITEMS_FEATURE = 'user_recent_items:items';
export const PURCHASED_ITEMS_FEATURE = 'user_purchased_items:items';
/** Weight of the i-th most recent event: RECENCY_DECAY^i (the newest counts 1, the 10th about 0.23). */
export const RECENCY_DECAY = 0.85;

export type OnlineFeatures = GetOnlineFeatures;

export interface ContextItem {
  id: string;
  weight: number;
}

export interface History {
  /** Distinct items, heaviest first; an item seen several times sums its events' weights. */
  recent: ContextItem[];
  purchased: Set<string>;
}

const listOf = (r: FeaturesResponse, feature: string): string[] => {
  const column = r.metadata.featureNames.indexOf(feature);
  const value = r.results[column]?.values[0];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

/** Context lists combined: the weights of an item in several lists (or several times in one) add up; heaviest first. */
export const mergeContext = (...lists: readonly ContextItem[][]): ContextItem[] => {
  const w = new Map<string, number>();
  for (const l of lists) for (const c of l) w.set(c.id, (w.get(c.id) ?? 0) + c.weight);
  return [...w].map(([id, weight]) => ({ id, weight })).sort((a, b) => b.weight - a.weight);
};

/** Ids newest first → distinct context items weighted by recency decay, heaviest first. */
export const recencyWeighted = (ids: readonly string[]): ContextItem[] =>
  mergeContext(ids.map((id, i) => ({ id, weight: RECENCY_DECAY ** i })));

export const readHistory = async (
  features: OnlineFeatures,
  tenantId: string,
  userId: string,
): Promise<History> => {
  const r = await features(tenantId, [RECENT_ITEMS_FEATURE, PURCHASED_ITEMS_FEATURE], { userId: [userId] });
  return {
    recent: recencyWeighted(listOf(r, RECENT_ITEMS_FEATURE)),
    purchased: new Set(listOf(r, PURCHASED_ITEMS_FEATURE)),
  };
};

/** Half-life of a long-term history item's weight: the offline evaluation's context decay (training README). */
export const LONG_TERM_HALF_LIFE_DAYS = 30;
/** The newest long-term item weighs at least this, so a customer last seen long ago still has a context. */
export const LONG_TERM_FLOOR = 0.01;
const DAY_MS = 86_400_000;

/**
 * The long-term history as context: item i weighs 2^(−(newest − last_i) / 30 days) (relative to the user's
 * newest item, as the offline evaluation weighs a context), times max(2^(−(now − newest) / 30 days), 0.01):
 * next to recent events it is a background; alone its ranking is the same whatever its age.
 */
export const longTermContext = (entries: readonly HistoryEntry[], nowMs: number): ContextItem[] => {
  if (entries.length === 0) return [];
  const halfLife = LONG_TERM_HALF_LIFE_DAYS * DAY_MS;
  const newest = Math.max(...entries.map(([, t]) => t));
  const scale = Math.max(2 ** (-Math.max(0, nowMs - newest) / halfLife), LONG_TERM_FLOOR);
  return mergeContext(entries.map(([id, t]) => ({ id, weight: scale * 2 ** (-(newest - t) / halfLife) })));
};
