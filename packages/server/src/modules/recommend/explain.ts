// Reasons for recommended items, derived from what produced them: for a model answer over several context
// items, the context item that contributed most to each result (the version is asked once per context item,
// the graphs being linear in the context); for a single context item, that item; for trending, the ranking.
import type { Item, RecommendationReason } from '@quiver/contracts';
import type { Answer, EndpointReader } from './endpoints.ts';
import type { ContextItem } from './history.ts';

/** At most this many context items (the heaviest) are asked alone when explaining. */
export const MAX_EXPLAINED_CONTEXT = 10;

export type ContextReason = 'similar-to' | 'bought-with' | 'because-you-viewed';

const TEXT: Record<ContextReason, string> = {
  'similar-to': 'similar to',
  'bought-with': 'bought with',
  'because-you-viewed': 'because you viewed',
};

export const contextReason = (
  kind: ContextReason,
  id: string,
  titles: ReadonlyMap<string, string>,
): RecommendationReason => ({ kind, itemId: id, text: `${TEXT[kind]} ${titles.get(id) ?? id}` });

export const trendingReason = (category?: string): RecommendationReason =>
  category
    ? { kind: 'trending', category, text: `trending in ${category}` }
    : { kind: 'trending', text: 'trending now' };

/** Titles of items by id, for reason texts. */
export const titlesOf = (items: readonly Item[]): Map<string, string> =>
  new Map(items.map((i) => [i.id, i.title]));

/**
 * For each result id, the context item contributing most to its score under the version that answered
 * (none when no single context item puts it in its own top K).
 */
export const topContributors = async (
  reader: EndpointReader,
  tenantId: string,
  answer: Answer,
  context: readonly ContextItem[],
  resultIds: readonly string[],
): Promise<Map<string, string>> => {
  const active = context.filter((c) => c.weight > 0);
  if (active.length === 1) return new Map(resultIds.map((id) => [id, active[0].id]));
  const asked = [...active].sort((a, b) => b.weight - a.weight).slice(0, MAX_EXPLAINED_CONTEXT);
  const wanted = new Set(resultIds);
  const shares = await Promise.all(asked.map((c) => reader.alone(tenantId, answer, c, wanted)));
  const out = new Map<string, string>();
  for (const id of resultIds) {
    let best = 0;
    shares.forEach((s, j) => {
      const v = s.get(id) ?? 0;
      if (v > best) {
        best = v;
        out.set(id, asked[j].id);
      }
    });
  }
  return out;
};
