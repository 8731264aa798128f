// Personal boost: a user's `user_category_affinity` feature (category → touches in 30 days) raises the
// score of items in categories they touched, by up to PERSONAL_BOOST times their share of touches.
import type { Entities, FeaturesResponse, Item } from '@quiver/contracts';
import { underCategory } from './filters.ts';

export const AFFINITY_FEATURE = 'user_category_affinity:categories_30d';
export const PERSONAL_BOOST = 0.5;

export type OnlineFeatures = (
  tenantId: string,
  features: readonly string[],
  entities: Entities,
) => Promise<FeaturesResponse>;

/** The user's category shares (summing to 1), or undefined when they have none. */
export const categoryAffinity = async (
  features: OnlineFeatures,
  tenantId: string,
  userId: string,
): Promise<Map<string, number> | undefined> => {
  const response = await features(tenantId, [AFFINITY_FEATURE], { userId: [userId] });
  const column = response.metadata.featureNames.indexOf(AFFINITY_FEATURE);
  const value = response.results[column]?.values[0];
  if (!value || typeof value !== 'object') return undefined;
  const counts = Object.entries(value as Record<string, unknown>).filter(
    (e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0,
  );
  const total = counts.reduce((s, [, n]) => s + n, 0);
  return total > 0 ? new Map(counts.map(([c, n]) => [c, n / total])) : undefined;
};

/** The multiplier for an item: 1 + boost × the largest share among categories the item lies in. */
export const personalFactor = (item: Item, affinity: ReadonlyMap<string, number>): number => {
  let best = 0;
  for (const [category, share] of affinity)
    if (share > best && (item.categories ?? []).some((c) => underCategory(c, category))) best = share;
  return 1 + PERSONAL_BOOST * best;
};

/**
 * The user's shares for a search's personal boost; when the features cannot be read, none (the search goes on
 * unboosted) and a notice says so.
 */
export const requestAffinity = async (
  features: OnlineFeatures,
  tenantId: string,
  userId: string,
  notices: string[],
  onError?: (error: unknown) => void,
): Promise<Map<string, number> | undefined> => {
  try {
    return await categoryAffinity(features, tenantId, userId);
  } catch (error) {
    onError?.(error);
    notices.push('personalization unavailable: features could not be read');
    return undefined;
  }
};
