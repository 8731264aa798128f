// Combines ranked lists from several retrievers: reciprocal rank fusion (default, k = 60) or a weighted
// blend of max-normalized scores.
import type { Retriever } from '@quiver/contracts';

export interface Ranked {
  id: string;
  score: number;
}
export interface Fused {
  id: string;
  score: number;
  retrievers: Retriever[];
}
export type FusionConfig =
  | { method: 'rrf'; k: number }
  | { method: 'weighted'; keyword: number; vector: number };
export const DEFAULT_FUSION: FusionConfig = { method: 'rrf', k: 60 };

export const fuse = (
  lists: Partial<Record<'keyword' | 'vector', Ranked[]>>,
  config: FusionConfig,
): Fused[] => {
  const out = new Map<string, Fused>();
  for (const name of ['keyword', 'vector'] as const) {
    const list = lists[name];
    if (!list) continue;
    const top = list[0]?.score || 1;
    list.forEach((hit, rank) => {
      const part =
        config.method === 'rrf' ? 1 / (config.k + rank + 1) : config[name] * (top > 0 ? hit.score / top : 0);
      const entry = out.get(hit.id) ?? { id: hit.id, score: 0, retrievers: [] };
      entry.score += part;
      entry.retrievers.push(name);
      out.set(hit.id, entry);
    });
  }
  return [...out.values()].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
};
