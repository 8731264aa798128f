// Coverage from the terms analyzed at index time answers exactly as `coverage` reading the text does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoverageTerms, coverageOfItems } from '../../../src/modules/search/coverage-terms.ts';
import { COVERAGE_DESCRIPTION_CHARS, coverage, type RerankText } from '../../../src/modules/search/rerank.ts';
import { analyze } from '../../../src/modules/search/tokenize.ts';

const WORDS = (
  'battery batteries spy spies running runs run shoe shoes cable cables Café café CRÈME crème maker makers ' +
  'supply supplies glass glasses hp 2x 4k usb-c the for and with keyboard keyboards gaming gamer games ' +
  'hoping hopeful quickly quick happiness happy payment pay naïve Ärger straße ﬁne x a i ii cd-rom 1000mAh'
).split(' ');
const PUNCT = [' ', ' ', ' ', ', ', '; ', ' (', ') ', '-', '/', '.', ' – '];

const rng = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

const corpus = (count: number) => {
  const r = rng(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const phrase = (n: number) => Array.from({ length: n }, () => pick(WORDS) + pick(PUNCT)).join('');
  return Array.from({ length: count }, (_, i) => {
    const item: RerankText = { title: phrase(1 + Math.floor(r() * 6)) };
    if (r() < 0.7) item.brand = phrase(1);
    // Some descriptions end before the cut, some cross it (a word may be cut in two), some go far beyond.
    if (r() < 0.9) item.description = phrase(Math.floor(r() * (i % 3 === 0 ? 400 : 150)));
    return { id: `i${i}`, item };
  });
};

const randomQuery = (r: () => number, q: number): string[] => {
  const query = Array.from({ length: 1 + (q % 4) }, () => WORDS[Math.floor(r() * WORDS.length)]);
  if (q % 10 === 0) query.push('unknownword');
  return [...new Set(analyze(query.join(' ')))];
};

describe('coverage terms', () => {
  const items = corpus(2000);
  const terms = new CoverageTerms();
  for (const [no, { item }] of items.entries()) terms.put(no, item);

  test('every item, every query: the same share as coverage() over the text', () => {
    const r = rng(11);
    const crossing = items.filter((i) => (i.item.description?.length ?? 0) > COVERAGE_DESCRIPTION_CHARS);
    assert.ok(crossing.length > 100, 'descriptions longer than the cut are exercised');
    let covered = 0;
    for (let q = 0; q < 60; q++) {
      const distinct = randomQuery(r, q);
      // Searched per item, and counted through the terms' documents (asked about every item at once).
      const scorer = terms.scorer(distinct);
      const counted = terms.scorer(distinct, items.length);
      items.forEach(({ id, item }, no) => {
        const expected = coverage(distinct, item);
        assert.equal(scorer(no), expected, `${distinct.join(' ')} / ${id}`);
        assert.equal(counted(no), expected, `counted: ${distinct.join(' ')} / ${id}`);
        if (expected > 0 && expected < 1) covered++;
      });
    }
    assert.ok(covered > 1000, 'partial coverage is exercised');
  });

  test('after many replacements and removals (the pool repacked): the same share as coverage() still', () => {
    const own = new CoverageTerms();
    const pool = corpus(3000);
    // Document number → the item text it holds now (absent: removed or never put).
    const held = new Map<number, RerankText>();
    const r = rng(5);
    const q = rng(13);
    const check = (k: number, candidates?: number) => {
      const distinct = randomQuery(q, k);
      const scorer = own.scorer(distinct, candidates);
      for (let no = 0; no < 1600; no++) {
        const item = held.get(no);
        assert.equal(scorer(no), item && coverage(distinct, item), `${distinct.join(' ')} / ${no}`);
      }
    };
    for (let step = 0; step < 12_000; step++) {
      // Counted between writes too: with dirty documents, and after the term lists were rebuilt.
      if (step % 1000 === 999) check(step, 1600);
      const no = Math.floor(r() * 1500);
      if (r() < 0.2) {
        own.remove(no);
        held.delete(no);
      } else {
        const { item } = pool[Math.floor(r() * pool.length)];
        own.put(no, item);
        held.set(no, item);
      }
    }
    assert.ok(held.size > 1000 && held.size < 1500, 'both live and removed numbers are checked');
    for (let k = 0; k < 20; k++) check(k, k % 2 === 0 ? 1600 : undefined);
  });

  test('a counted query stays right when the items change before it is read', () => {
    const own = new CoverageTerms();
    own.put(0, { title: 'Spare batteries', description: 'for gaming' });
    own.put(1, { title: 'Gaming keyboard' });
    const first = own.scorer(analyze('battery gaming'), 10);
    assert.deepEqual([first(0), first(1), first(2)], [1, 0.5, undefined]);
    own.put(2, { title: 'Gaming batteries' });
    own.put(1, { title: 'Keyboard' });
    const second = own.scorer(analyze('battery gaming'), 10);
    // The first scorer's tally is stale (written since, and recounted by the second): both read the items now.
    assert.deepEqual([first(0), first(1), first(2)], [1, 0, 1]);
    assert.deepEqual([second(0), second(1), second(2)], [1, 0, 1]);
    own.remove(0);
    assert.deepEqual([second(0), second(1), second(2)], [undefined, 0, 1]);
  });

  test('an unknown or removed item has none; a replaced one is read anew; ids map to numbers', () => {
    const own = new CoverageTerms();
    own.put(0, { title: 'Spare batteries', description: 'for gaming' });
    assert.equal(own.scorer(analyze('battery gaming'))(0), 1);
    assert.equal(own.scorer(analyze('battery gaming'))(1), undefined);
    assert.equal(own.scorer(analyze('battery gaming'))(1_000_000), undefined);
    own.put(0, { title: 'Gaming keyboard' });
    assert.equal(own.scorer(analyze('battery gaming'))(0), 0.5);
    assert.equal(own.scorer([])(0), 0);
    own.remove(0);
    assert.equal(own.scorer(analyze('battery'))(0), undefined);
    const byId = coverageOfItems([
      { id: 'a', title: 'Spare batteries' },
      { id: 'b', title: 'Gaming keyboard' },
    ])(analyze('gaming'));
    assert.deepEqual([byId('a'), byId('b'), byId('c'), byId('b', 0)], [0, 1, undefined, 0]);
  });
});
