// Coverage from the terms analyzed at index time answers exactly as `coverage` reading the text does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoverageTerms } from '../../../src/modules/search/coverage-terms.ts';
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

describe('coverage terms', () => {
  const items = corpus(2000);
  const terms = new CoverageTerms();
  for (const { id, item } of items) terms.put(id, item);

  test('every item, every query: the same share as coverage() over the text', () => {
    const r = rng(11);
    const crossing = items.filter((i) => (i.item.description?.length ?? 0) > COVERAGE_DESCRIPTION_CHARS);
    assert.ok(crossing.length > 100, 'descriptions longer than the cut are exercised');
    let covered = 0;
    for (let q = 0; q < 60; q++) {
      const query = Array.from({ length: 1 + (q % 4) }, () => WORDS[Math.floor(r() * WORDS.length)]);
      if (q % 10 === 0) query.push('unknownword');
      const distinct = [...new Set(analyze(query.join(' ')))];
      const scorer = terms.scorer(distinct);
      for (const { id, item } of items) {
        const expected = coverage(distinct, item);
        assert.equal(scorer(id), expected, `${distinct.join(' ')} / ${id}`);
        if (expected > 0 && expected < 1) covered++;
      }
    }
    assert.ok(covered > 1000, 'partial coverage is exercised');
  });

  test('an unknown or removed item has none; a replaced one is read anew', () => {
    const own = new CoverageTerms();
    own.put('a', { title: 'Spare batteries', description: 'for gaming' });
    assert.equal(own.scorer(analyze('battery gaming'))('a'), 1);
    assert.equal(own.scorer(analyze('battery gaming'))('b'), undefined);
    own.put('a', { title: 'Gaming keyboard' });
    assert.equal(own.scorer(analyze('battery gaming'))('a'), 0.5);
    assert.equal(own.scorer([])('a'), 0);
    own.remove('a');
    assert.equal(own.scorer(analyze('battery'))('a'), undefined);
  });
});
