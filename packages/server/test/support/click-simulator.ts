// A click simulator over chorus-icecat's judged queries: a shopper looks at position k with probability
// k^−η (η = 1), clicks a looked-at item with a probability that grows with its judged grade (unjudged: as
// grade 0), and buys some clicked items (more often the better graded). It turns a search answer into the
// events a shop would send: the `search` event naming the searchId and the ids shown in order, then clicks and
// purchases naming the same searchId. Deterministic from its seed. Used by the search-ranker tests and by
// `npm run bench -- relevance` (clicks on training queries only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ICECAT_DIR } from '../../../../bench/lib/icecat.ts';
import { prng } from '../../src/kernel/random.ts';

export { ICECAT_DIR, icecatItem, readIcecatProducts } from '../../../../bench/lib/icecat.ts';
export { explore } from '../../src/modules/search/explore.ts';

export interface ClickModel {
  /** Examination of position k: k^−eta. */
  eta: number;
  /** P(click | looked at) by grade 0–3. */
  click: readonly [number, number, number, number];
  /** P(purchase | clicked) by grade 0–3. */
  purchase: readonly [number, number, number, number];
  /** How many positions a shopper may look at. */
  depth: number;
}
export const DEFAULT_CLICK_MODEL: ClickModel = {
  eta: 1,
  click: [0.05, 0.2, 0.5, 0.9],
  purchase: [0, 0.05, 0.2, 0.5],
  depth: 10,
};

export interface SimulatedEvent {
  id: string;
  type: 'search' | 'click' | 'purchase';
  userId: string;
  itemId?: string;
  query?: string;
  timestamp: string;
  properties: Record<string, string | number | string[]>;
}

export interface Session {
  events: SimulatedEvent[];
  clicks: number;
  purchases: number;
}

/** One shopper's events for an answer (`shown`: the ids of its first page, in order). */
export const createClickSimulator = (seed: number, model: ClickModel = DEFAULT_CLICK_MODEL) => {
  const random = prng(seed);
  let n = 0;
  return (
    search: { query: string; searchId: string; shown: readonly string[]; userId: string; at: string },
    grades: ReadonlyMap<string, number>,
  ): Session => {
    const id = () => `sim-${seed}-${++n}`;
    const base = { userId: search.userId, timestamp: search.at };
    const shown = search.shown.slice(0, model.depth);
    const events: SimulatedEvent[] = [
      {
        id: id(),
        type: 'search',
        ...base,
        query: search.query,
        properties: { searchId: search.searchId, items: [...shown] },
      },
    ];
    let clicks = 0;
    let purchases = 0;
    shown.forEach((itemId, i) => {
      const grade = Math.max(0, Math.min(3, Math.round(grades.get(itemId) ?? 0)));
      if (random() >= (i + 1) ** -model.eta || random() >= model.click[grade]) return;
      const properties = { searchId: search.searchId, position: i + 1 };
      events.push({ id: id(), type: 'click', ...base, itemId, properties });
      clicks++;
      if (random() < model.purchase[grade]) {
        events.push({ id: id(), type: 'purchase', ...base, itemId, properties });
        purchases++;
      }
    });
    return { events, clicks, purchases };
  };
};

export interface IcecatJudged {
  query: string;
  grades: Map<string, number>;
}

/** chorus-icecat's judged queries in file order (queries without any judgment left out). */
export const readIcecatJudged = (dir = ICECAT_DIR): IcecatJudged[] => {
  const lines = (file: string) =>
    readFileSync(join(dir, file), 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t'));
  const grades = new Map<string, Map<string, number>>();
  for (const [qid, docid, grade] of lines('qrels.tsv')) {
    const g = Number(grade);
    if (qid === 'qid' || !docid || !Number.isFinite(g)) continue;
    if (!grades.has(qid)) grades.set(qid, new Map());
    grades.get(qid)!.set(docid, g);
  }
  return lines('queries.tsv')
    .filter(([qid]) => grades.has(qid))
    .map(([qid, query]) => ({ query: query.trim(), grades: grades.get(qid)! }));
};
