// Hybrid's second phase: the coverage feature by hand, the linear score, the windows, and the order of the rest.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeQuery } from '../../../src/modules/search/query.ts';
import {
  bestRescored,
  COVERAGE_DESCRIPTION_CHARS,
  containsTerm,
  coverage,
  type RerankCandidate,
  type RerankConfig,
  type RerankText,
  rerank,
  rerankCandidates,
  sortRescored,
} from '../../../src/modules/search/rerank.ts';
import { analyze } from '../../../src/modules/search/tokenize.ts';

const ITEMS: Record<string, RerankText> = {
  cover: { title: 'Keyboard cover', description: 'Protects against dust' },
  gamer: { title: 'Gaming keyboard', brand: 'Cherry', description: 'Mechanical switches' },
  mouse: { title: 'Gaming mouse', description: 'Works well beside a keyboard' },
  lamp: { title: 'Desk lamp' },
  far: { title: 'Far away gaming keyboard' },
};
const textOf = (id: string) => ITEMS[id];
const CONFIG: RerankConfig = {
  keywordWindow: 3,
  vectorWindow: 2,
  weights: { keyword: 1, vector: 0.5, coverage: 2 },
};

describe('rerank', () => {
  test('coverage: the share of distinct query terms in title, brand or the start of the description', () => {
    const terms = analyze('gaming keyboards cherry');
    assert.equal(coverage(terms, ITEMS.gamer), 1);
    assert.equal(coverage(terms, ITEMS.cover), 1 / 3);
    assert.equal(coverage(terms, ITEMS.mouse), 2 / 3);
    assert.equal(coverage([], ITEMS.gamer), 0);
    const late = { title: 'x', description: `${'filler '.repeat(COVERAGE_DESCRIPTION_CHARS / 7)} keyboard` };
    assert.equal(coverage(analyze('keyboard'), late), 0);
  });

  test('containsTerm answers as analyzing every word would, stems and accents included', () => {
    const text =
      'Spare batteries for the spies: running shoes, HP cables (2x), Café-Crème maker; supplies and glasses';
    const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    const analyzed = new Set(analyze(text));
    const probes = [
      ...analyzed,
      ...analyze('battery spy run shoe cable creme cafe supply glass hp 2x the for maker tables spare'),
      'batter',
      'sp',
      'x',
      'runn',
    ];
    for (const term of probes) assert.equal(containsTerm(folded, term), analyzed.has(term), term);
    assert.equal(coverage(analyze('crème brûlée'), { title: 'CREME set' }), 0.5);
  });

  test('scores the windows with the linear model and puts the rest after them in fused order', () => {
    const keyword = [
      { id: 'cover', score: 10 },
      { id: 'mouse', score: 8 },
      { id: 'gamer', score: 5 },
      { id: 'far', score: 4 },
    ];
    const vector = [
      { id: 'gamer', score: 0.8 },
      { id: 'lamp', score: 0.4 },
      { id: 'cover', score: 0.2 },
    ];
    const out = rerank('gaming keyboard', { keyword, vector }, textOf, CONFIG);
    // By hand: keyword/10 + 0.5 × cosine/0.8 (lowest of the vector window, 0.4, when not in it) + 2 × coverage.
    const expected = {
      gamer: 0.5 + 0.5 * 1 + 2,
      mouse: 0.8 + 0.5 * 0.5 + 2, // "keyboard" in its description counts too
      cover: 1 + 0.5 * 0.5 + 1,
      lamp: 0 + 0.5 * 0.5 + 0,
    };
    assert.deepEqual(
      out.slice(0, 4).map((h) => h.id),
      ['mouse', 'gamer', 'cover', 'lamp'],
    );
    for (const h of out.slice(0, 4))
      assert.ok(Math.abs(h.score - expected[h.id as keyof typeof expected]) < 1e-9);
    assert.deepEqual(out.find((h) => h.id === 'gamer')?.retrievers, ['keyword', 'vector']);
    assert.deepEqual(out.find((h) => h.id === 'lamp')?.retrievers, ['vector']);
    // Beyond the keyword window: after every rescored hit, whatever its own merit.
    assert.equal(out[4].id, 'far');
    assert.ok(out[4].score > 0 && out[4].score <= out[3].score / 2);
    assert.equal(out.length, 5);
  });

  test('without vector hits it still ranks by keyword score and coverage', () => {
    const out = rerank(
      'keyboard cover',
      {
        keyword: [
          { id: 'gamer', score: 9 },
          { id: 'cover', score: 3 },
        ],
        vector: [],
      },
      textOf,
      CONFIG,
    );
    assert.deepEqual(
      out.map((h) => h.id),
      ['cover', 'gamer'],
    );
  });

  test('candidates: keyword ones in order, then vector-only ones; unknown items left out of both', () => {
    const known = (id: string) => (id === 'ghost' ? undefined : textOf(id));
    const out = rerankCandidates(
      analyzeQuery('gaming keyboard'),
      {
        keyword: [
          { id: 'cover', score: 10 },
          { id: 'ghost', score: 9 },
          { id: 'gamer', score: 5 },
        ],
        vector: [
          { id: 'lamp', score: 0.8 },
          { id: 'ghost', score: 0.6 },
          { id: 'gamer', score: 0.4 },
          { id: 'mouse', score: 0.2 },
        ],
      },
      (terms) => (id) => {
        const text = known(id);
        return text && coverage(terms, text);
      },
      { keywordWindow: 10, vectorWindow: 10 },
    );
    assert.deepEqual(
      out.map((c) => [c.id, c.retrievers, c.features]),
      [
        ['cover', ['keyword'], [1, 0.25, 0.5]],
        ['gamer', ['keyword', 'vector'], [0.5, 0.5, 1]],
        ['lamp', ['vector'], [0, 1, 0]],
        ['mouse', ['vector'], [0, 0.25, 1]],
      ],
    );
  });

  test("a page's best accepted candidates: the same as sorting them all, filter and ties included", () => {
    let seed = 3;
    const r = () => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    for (let round = 0; round < 200; round++) {
      const n = Math.floor(r() * 60);
      const candidates: RerankCandidate[] = Array.from({ length: n }, (_, i) => ({
        id: `c${Math.floor(r() * 1000)}-${i}`,
        retrievers: ['keyword'],
        features: [0, 0, 0],
      }));
      // Few distinct scores, so ties are decided by id.
      const scores = candidates.map(() => Math.floor(r() * 8) / 4);
      const rejected = new Set(candidates.filter(() => r() < (round % 3) * 0.4).map((c) => c.id));
      const accept = (id: string) => !rejected.has(id);
      const count = Math.floor(r() * 25);
      const expected = sortRescored(candidates, scores)
        .filter((f) => accept(f.id))
        .slice(0, count);
      assert.deepEqual(bestRescored(candidates, scores, count, accept), expected, `round ${round}`);
    }
  });
});
