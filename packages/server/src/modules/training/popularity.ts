// Popularity with exponential time decay: each event counts its weight halved every `halfLifeDays` before
// the end of the data, so what sells now outranks what sold a season ago.
import type { Interactions } from './interactions.ts';

export interface PopularityParams {
  halfLifeDays: number;
}

export const DEFAULT_POPULARITY: PopularityParams = { halfLifeDays: 1 };

const DAY_MS = 86_400_000;

/** score_i = Σ_e w_e · 2^(−(t_end − t_e) / halfLife) over item i's events; t_end = the last event's time. */
export const trainPopularity = (
  x: Interactions,
  params: PopularityParams = DEFAULT_POPULARITY,
): Float32Array => {
  const scores = new Float64Array(x.items.length);
  const end = x.length > 0 ? x.time[x.length - 1] : 0;
  const halfLife = params.halfLifeDays * DAY_MS;
  for (let e = 0; e < x.length; e++) scores[x.item[e]] += x.weight[e] * 2 ** (-(end - x.time[e]) / halfLife);
  return Float32Array.from(scores);
};
