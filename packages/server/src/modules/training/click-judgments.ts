// Relevance judgments from a tenant's own search events, for the search-ranker trainer. A `search` event
// names its answer (`properties.searchId`) and what was shown, in order (`properties.items`, position 1
// first); a click, add-to-cart or purchase naming the same searchId is an outcome for its item. Each
// (search, item) counts its best outcome's grade, divided by the examination propensity of the position it
// was shown at (inverse propensity scoring: a click at position 8 says more than one at position 1, which
// is looked at anyway), p(k) = max(floor, k^−η); a query's gain for an item is the mean over its searches.
// η is measured when the tenant explores (search/explore.ts: an explored answer's searchId says so, and its
// ranks 3–20 were shuffled, so every position there holds equally relevant items on average): the click rate
// of positions 3 onwards falls as k^−η, fitted on log–log; too few explored clicks keep the given η.
// With `labels: 'pbm'` the gains come from a position-based click model fitted by EM on the same searches
// (click-model.ts, examination k^−η as above) instead: an item's gain is its attractiveness γ times the mean
// grade of its outcomes,
// estimated from the impressions it had, so items shown only in explored searches are not scored down for
// being shown rarely (the inverse-propensity gain divides by the position's propensity, not the share of
// searches that showed the item).
import { decodeSearchId, EXPLORE_FROM, EXPLORE_TO } from '../search/index.ts';
import { fitPbm, type PbmCell } from './click-model.ts';

/** The grade of a search's best outcome for an item. */
export const OUTCOME_GRADES: Readonly<Record<string, number>> = { click: 1, add_to_cart: 2, purchase: 3 };

export interface ClickJudgmentOptions {
  /** η of the position-bias model p(k) = k^−η (1: examination falls as 1 / position). */
  eta: number;
  /** The smallest propensity divided by: bounds the weight of a click far down (≤ 1 / floor). */
  propensityFloor: number;
  /** Measure η on the explored searches when there are enough (else `eta`). */
  estimateEta?: boolean;
  /** Gains by inverse propensity (the default) or by a position-based click model fitted by EM. */
  labels?: 'ips' | 'pbm';
}
export const DEFAULT_CLICK_JUDGMENTS: ClickJudgmentOptions = { eta: 1, propensityFloor: 0.1 };
/** The fewest explored searches, and clicks at their shuffled positions, η is measured from. */
export const MIN_EXPLORED_SEARCHES = 50;
export const MIN_EXPLORED_CLICKS = 30;
/** A measured η is kept within these bounds. */
const ETA_RANGE = [0, 3] as const;

/** The examination propensity of 1-based `position`. */
export const propensity = (position: number, o: ClickJudgmentOptions = DEFAULT_CLICK_JUDGMENTS): number =>
  Math.max(o.propensityFloor, position ** -o.eta);

/** What the builder reads of an event (a StoredEvent fits). */
export interface SearchEventLike {
  type: string;
  itemId?: string;
  query?: string;
  properties?: Record<string, unknown>;
}

export interface ClickJudgedQuery {
  /** The query as searched (normalized: lowercased words joined by one space). */
  query: string;
  /** Searches of it with a search event. */
  searches: number;
  /** Item → debiased gain (mean over the query's searches of grade / propensity); items with outcomes only. */
  gains: Map<string, number>;
}

export interface ClickJudgments {
  queries: ClickJudgedQuery[];
  /** What was read, for the run's data summary. */
  counts: {
    searches: number;
    impressions: number;
    outcomes: number;
    /** (search, item) outcomes whose search event never arrived, or whose position is unknown: not used. */
    unattributed: number;
    /** Searches whose searchId says their first page was explored. */
    explored: number;
  };
  /** The position bias the gains were corrected with: measured on explored searches, or as given. */
  eta: { value: number; measured: boolean };
  /** With `labels: 'pbm'`: the examination probability per position the model used (index k − 1). */
  examination?: number[];
}

/**
 * η from the click rate at each shuffled position (k = 3… of the explored searches' shown items): weighted
 * least squares of log(rate) on log(k), weights the clicks; undefined with too few clicks or positions.
 */
export const measureEta = (shown: ArrayLike<number>, clicked: ArrayLike<number>): number | undefined => {
  const points: Array<[number, number, number]> = [];
  let clicks = 0;
  for (let k = EXPLORE_FROM; k < shown.length && k <= EXPLORE_TO; k++)
    if (clicked[k] > 0 && shown[k] > 0) {
      points.push([Math.log(k), Math.log(clicked[k] / shown[k]), clicked[k]]);
      clicks += clicked[k];
    }
  if (points.length < 3 || clicks < MIN_EXPLORED_CLICKS) return undefined;
  let [w, x, y] = [0, 0, 0];
  for (const [px, py, pw] of points) [w, x, y] = [w + pw, x + pw * px, y + pw * py];
  const [mx, my] = [x / w, y / w];
  let [sxy, sxx] = [0, 0];
  for (const [px, py, pw] of points)
    [sxy, sxx] = [sxy + pw * (px - mx) * (py - my), sxx + pw * (px - mx) ** 2];
  if (sxx === 0) return undefined;
  return Math.min(ETA_RANGE[1], Math.max(ETA_RANGE[0], -sxy / sxx));
};

/** A query as judgments key it: lowercased words joined by one space. */
export const clickQuery = (text: string): string =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .join(' ');

interface Search {
  query: string;
  items: readonly string[];
  explored: boolean;
}

/** Collects events in any order (an outcome may arrive before its search); `build()` judges. */
export const createClickJudgmentsBuilder = (options: ClickJudgmentOptions = DEFAULT_CLICK_JUDGMENTS) => {
  const searches = new Map<string, Search>();
  /** searchId → item → [best grade, position told by the outcome (0: none)]. */
  const outcomes = new Map<string, Map<string, [number, number]>>();
  let outcomeCount = 0;
  let explored = 0;
  /** η measured on the explored searches (clicks or better at each shown position), or the given one. */
  const positionBias = (): ClickJudgments['eta'] => {
    const shown = new Float64Array(EXPLORE_TO + 1);
    const clicked = new Float64Array(EXPLORE_TO + 1);
    explored = 0;
    for (const [searchId, s] of searches) {
      if (!s.explored) continue;
      explored++;
      const byItem = outcomes.get(searchId);
      for (let k = EXPLORE_FROM; k <= Math.min(s.items.length, EXPLORE_TO); k++) {
        shown[k]++;
        if (byItem?.has(s.items[k - 1])) clicked[k]++;
      }
    }
    const measured =
      options.estimateEta && explored >= MIN_EXPLORED_SEARCHES ? measureEta(shown, clicked) : undefined;
    return measured === undefined
      ? { value: options.eta, measured: false }
      : { value: measured, measured: true };
  };
  /**
   * The PBM gains of the queries' items with outcomes (replacing their inverse-propensity sums): every
   * shown page of the query is an impression per position, an outcome a click at its position (the told
   * one when its item was not on the recorded page); gain = γ × the item's mean outcome grade.
   */
  const pbmGains = (queries: ClickJudgedQuery[], o: ClickJudgmentOptions): number[] => {
    const wanted = new Set(queries.map((q) => q.query));
    const pairs = new Map<string, number>();
    const pairOf = (query: string, item: string) => {
      const key = `${query}\u0000${item}`;
      let p = pairs.get(key);
      if (p === undefined) {
        p = pairs.size;
        pairs.set(key, p);
      }
      return p;
    };
    const cells = new Map<number, PbmCell>();
    const cell = (pair: number, position: number) => {
      const key = pair * 1024 + Math.min(position, 1023);
      let c = cells.get(key);
      if (!c) {
        c = { pair, position: Math.min(position, 1023), shown: 0, clicked: 0 };
        cells.set(key, c);
      }
      return c;
    };
    /** (query, item) → [sum of outcome grades, outcomes]. */
    const grades = new Map<number, [number, number]>();
    for (const [searchId, s] of searches) {
      if (!wanted.has(s.query)) continue;
      const byItem = outcomes.get(searchId);
      s.items.forEach((item, i) => {
        const c = cell(pairOf(s.query, item), i + 1);
        c.shown++;
        if (byItem?.has(item)) c.clicked++;
      });
      for (const [item, [grade, told]] of byItem ?? []) {
        const pair = pairOf(s.query, item);
        if (!s.items.includes(item)) {
          if (told === 0) continue;
          const c = cell(pair, told);
          c.shown++;
          c.clicked++;
        }
        const g = grades.get(pair) ?? [0, 0];
        grades.set(pair, [g[0] + grade, g[1] + 1]);
      }
    }
    const fit = fitPbm([...cells.values()], pairs.size, (k) => propensity(k, o));
    for (const q of queries)
      for (const item of q.gains.keys()) {
        const pair = pairs.get(`${q.query}\u0000${item}`)!;
        const [sum, n] = grades.get(pair)!;
        q.gains.set(item, fit.gamma[pair] * (sum / n));
      }
    return [...fit.theta];
  };
  return {
    /** Adds one event; false (ignored) when it is neither a search with a searchId nor an outcome of one. */
    add(e: SearchEventLike): boolean {
      const searchId = e.properties?.searchId;
      if (typeof searchId !== 'string') return false;
      if (e.type === 'search') {
        if (typeof e.query !== 'string') return false;
        const shown = e.properties?.items;
        const items = Array.isArray(shown) ? shown.filter((x): x is string => typeof x === 'string') : [];
        const explored = decodeSearchId(searchId)?.explored ?? false;
        searches.set(searchId, { query: clickQuery(e.query), items, explored });
        return true;
      }
      const grade = OUTCOME_GRADES[e.type];
      if (grade === undefined || !e.itemId) return false;
      const told = e.properties?.position;
      const position = typeof told === 'number' && Number.isInteger(told) && told >= 1 ? told : 0;
      let byItem = outcomes.get(searchId);
      if (!byItem) {
        byItem = new Map();
        outcomes.set(searchId, byItem);
      }
      const seen = byItem.get(e.itemId);
      byItem.set(e.itemId, [Math.max(grade, seen?.[0] ?? 0), seen?.[1] || position]);
      outcomeCount++;
      return true;
    },

    build(): ClickJudgments {
      const byQuery = new Map<string, ClickJudgedQuery>();
      let impressions = 0;
      let unattributed = 0;
      const eta = positionBias();
      const o = { ...options, eta: eta.value };
      for (const [searchId, s] of searches) {
        if (!s.query) continue;
        let q = byQuery.get(s.query);
        if (!q) {
          q = { query: s.query, searches: 0, gains: new Map() };
          byQuery.set(s.query, q);
        }
        q.searches++;
        impressions += s.items.length;
        for (const [item, [grade, told]] of outcomes.get(searchId) ?? []) {
          const shownAt = s.items.indexOf(item) + 1;
          const position = shownAt || told;
          if (position === 0) {
            unattributed++;
            continue;
          }
          q.gains.set(item, (q.gains.get(item) ?? 0) + grade / propensity(position, o));
        }
      }
      for (const [searchId, byItem] of outcomes) if (!searches.has(searchId)) unattributed += byItem.size;
      const queries = [...byQuery.values()].filter((q) => q.gains.size > 0);
      // The inverse-propensity sums become clicks per search, or the click model's gains replace them.
      const examination = options.labels === 'pbm' ? pbmGains(queries, o) : undefined;
      if (examination === undefined)
        for (const q of queries) for (const [item, g] of q.gains) q.gains.set(item, g / q.searches);
      queries.sort((a, b) => (a.query < b.query ? -1 : a.query > b.query ? 1 : 0));
      return {
        queries,
        counts: { searches: searches.size, impressions, outcomes: outcomeCount, unattributed, explored },
        eta,
        ...(examination && { examination }),
      };
    },
  };
};
