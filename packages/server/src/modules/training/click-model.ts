// A position-based click model (PBM) fitted by expectation–maximisation on the clicks themselves: a shown
// item is clicked when its position is examined (θ_k) and the item attracts (γ per query and item),
// P(click) = θ_k · γ. Unlike inverse propensity over the searches, γ is estimated from the impressions the
// item had, wherever they were: an item the serving ranker shows only now and then (explored searches) is
// not scored down for being shown rarely. θ and γ are identified up to a common scale; θ_1 is fixed at 1.
// θ may be given (`fixedTheta`): the search-ranker's judgments give θ_k = k^−η with η measured on explored
// searches, because the product's exploration never moves ranks 1–2, so EM cannot tell θ_2 from the
// attractiveness of the items always shown there (free EM on the bench's clicks put θ_3 at 0.74 for a true
// 0.33). Each γ has a Beta prior centred on the mean click rate (PBM_PRIOR pseudo-impressions), so one lucky
// click deep on the page does not make an item the best of its query.

/** Impressions of one (query, item) at one 1-based position, and how many of them were clicked. */
export interface PbmCell {
  /** The (query, item)'s index in γ. */
  pair: number;
  position: number;
  shown: number;
  clicked: number;
}

export interface PbmFit {
  /** θ_k at index k − 1 (θ_1 = 1). */
  theta: Float64Array;
  /** γ per (query, item) index. */
  gamma: Float64Array;
  iterations: number;
}

/** The Beta prior's strength on each γ, in impressions at the mean click rate. */
export const PBM_PRIOR = 2;
const MAX_ITERATIONS = 200;
const TOLERANCE = 1e-7;
const EPS = 1e-9;

/** θ (unless given: `fixedTheta(k)` for 1-based k) and γ by EM from `cells` over `pairs` (query, item)s. */
export const fitPbm = (
  cells: readonly PbmCell[],
  pairs: number,
  fixedTheta?: (position: number) => number,
  prior = PBM_PRIOR,
): PbmFit => {
  const depth = cells.reduce((m, c) => Math.max(m, c.position), 0);
  const theta = Float64Array.from({ length: depth }, (_, k) => (fixedTheta ?? ((p) => 1 / p))(k + 1));
  const gamma = new Float64Array(pairs);
  let [shown, clicked] = [0, 0];
  for (const c of cells) [shown, clicked] = [shown + c.shown, clicked + c.clicked];
  const mean = shown > 0 ? Math.min(0.99, Math.max(0.01, clicked / shown)) : 0.5;
  gamma.fill(mean);
  const [a, b] = [prior * mean, prior * (1 - mean)];
  const thetaNum = new Float64Array(depth);
  const thetaDen = new Float64Array(depth);
  const gammaNum = new Float64Array(pairs);
  const gammaDen = new Float64Array(pairs);
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    thetaNum.fill(0);
    thetaDen.fill(0);
    gammaNum.fill(0);
    gammaDen.fill(0);
    for (const c of cells) {
      const t = theta[c.position - 1];
      const g = gamma[c.pair];
      const missed = c.shown - c.clicked;
      const none = Math.max(EPS, 1 - t * g);
      // A click: examined and attracted. No click: examined but not attracted, or attracted but not examined.
      thetaNum[c.position - 1] += c.clicked + (missed * t * (1 - g)) / none;
      thetaDen[c.position - 1] += c.shown;
      gammaNum[c.pair] += c.clicked + (missed * (1 - t) * g) / none;
      gammaDen[c.pair] += c.shown;
    }
    let change = 0;
    for (let k = 0; k < depth && !fixedTheta; k++) {
      const next = thetaDen[k] > 0 ? thetaNum[k] / thetaDen[k] : theta[k];
      change = Math.max(change, Math.abs(next - theta[k]));
      theta[k] = next;
    }
    for (let p = 0; p < pairs; p++) {
      const next = (gammaNum[p] + a) / (gammaDen[p] + a + b);
      change = Math.max(change, Math.abs(next - gamma[p]));
      gamma[p] = next;
    }
    // The common scale: θ_1 = 1 (γ takes the factor, within [0, 1]).
    const top = theta[0];
    if (!fixedTheta && top > EPS) {
      for (let k = 0; k < depth; k++) theta[k] /= top;
      for (let p = 0; p < pairs; p++) gamma[p] = Math.min(1 - EPS, gamma[p] * top);
    }
    if (change < TOLERANCE) break;
  }
  return { theta, gamma, iterations };
};
