// A user's history as recommendations read it from the feature store: the recent items (the for-user
// context, newest first, weighted by recency) and the purchased items (left out by default).
import type { Entities, FeaturesResponse } from '@quiver/contracts';

export const RECENT_ITEMS_FEATURE = 'user_recent_items:items';
export const PURCHASED_ITEMS_FEATURE = 'user_purchased_items:items';
/** Weight of the i-th most recent event: RECENCY_DECAY^i (the newest counts 1, the 10th about 0.23). */
export const RECENCY_DECAY = 0.85;

export type OnlineFeatures = (
  tenantId: string,
  features: readonly string[],
  entities: Entities,
) => Promise<FeaturesResponse>;

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

/** Ids newest first → distinct context items weighted by recency decay, heaviest first. */
export const recencyWeighted = (ids: readonly string[]): ContextItem[] => {
  const weights = new Map<string, number>();
  ids.forEach((id, i) => {
    weights.set(id, (weights.get(id) ?? 0) + RECENCY_DECAY ** i);
  });
  return [...weights].map(([id, weight]) => ({ id, weight })).sort((a, b) => b.weight - a.weight);
};

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
