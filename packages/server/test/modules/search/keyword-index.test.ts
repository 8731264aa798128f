// The keyword index: BM25 field weights, stemming, prefix (search-as-you-type) and typo tolerance bounds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allowedTypos,
  boundedDistance,
  DEFAULT_FIELD_WEIGHTS,
  FIELDS,
  type KeywordDoc,
  KeywordIndex,
} from '../../../src/modules/search/keyword-index.ts';
import { analyze, isStopWord, stem } from '../../../src/modules/search/tokenize.ts';

const index = () => {
  const ix = new KeywordIndex();
  ix.put('sofa', { title: 'Grey velvet sofa', description: 'A three seat sofa for the living room' });
  ix.put('lamp', { title: 'Brass table lamp', description: 'Warm light for reading' });
  ix.put('headphones', { title: 'Wireless headphones', brand: 'Sonic', description: 'Noise cancelling' });
  ix.put('speaker', { title: 'Bluetooth speaker', brand: 'Sonic', description: 'Portable and waterproof' });
  ix.put('notebook', { title: 'Paper notebook', description: 'Mentions headphones once in passing' });
  return ix;
};
const top = (ix: KeywordIndex, q: string) => ix.search(q)[0]?.id;

describe('keyword index', () => {
  test('stemming: plurals and -ing forms find the singular', () => {
    assert.equal(stem('speakers'), stem('speaker'));
    assert.equal(top(index(), 'lamps'), 'lamp');
    assert.equal(top(index(), 'speakers'), 'speaker');
  });

  test('a title match outranks a description match (field weights)', () => {
    assert.equal(top(index(), 'headphones'), 'headphones');
  });

  test('prefix: a fragment of the last word finds the item as you type', () => {
    const ix = index();
    assert.equal(top(ix, 'blueto'), 'speaker');
    assert.equal(top(ix, 'wireless headph'), 'headphones');
    assert.equal(top(ix, 'vel'), 'sofa');
  });

  test('typos: 1 edit from 4 characters, 2 from 8, none below 4', () => {
    assert.deepEqual([3, 4, 5, 7, 8, 9].map(allowedTypos), [0, 1, 1, 1, 2, 2]);
    const ix = index();
    assert.equal(top(ix, 'lmap'), 'lamp'); // two swapped letters are one edit (Damerau), allowed at 4
    assert.equal(top(ix, 'sfoa'), 'sofa');
    assert.equal(top(ix, 'lmpa'), undefined); // two transpositions are 2 edits: none at 4 characters
    assert.equal(top(ix, 'speakre'), 'speaker'); // a swap at the end of a longer word
    assert.equal(top(ix, 'lampp'), 'lamp'); // 1 edit at 5 characters
    assert.equal(top(ix, 'headphnes'), 'headphones'); // 1 edit at 9
    assert.equal(top(ix, 'haedphones'), 'headphones'); // 2 edits at 10
    assert.equal(top(ix, 'blutoth speakr'), 'speaker');
  });

  test('bounded edit distance', () => {
    assert.equal(boundedDistance('kitten', 'sitting', 3), 3);
    assert.equal(boundedDistance('kitten', 'sitting', 2), 3);
    assert.equal(boundedDistance('abc', 'abc', 1), 0);
    assert.equal(boundedDistance('lmap', 'lamp', 1), 1); // transposition: one edit
    assert.equal(boundedDistance('ab', 'ba', 0), 1);
    assert.equal(boundedDistance('abcd', 'badc', 2), 2);
    assert.equal(boundedDistance('ca', 'abc', 3), 3); // optimal string alignment: no edit of a swapped pair
  });

  test('alternatives (synonyms) widen a word', () => {
    const ix = index();
    assert.equal(top(ix, 'couch'), undefined);
    assert.equal(ix.search('couch', { alternatives: new Map([['couch', ['sofa']]]) })[0]?.id, 'sofa');
  });

  test('replaced and removed documents leave no trace', () => {
    const ix = index();
    ix.put('lamp', { title: 'Floor standing light' });
    assert.equal(top(ix, 'brass'), undefined);
    assert.equal(top(ix, 'floor'), 'lamp');
    ix.remove('lamp');
    assert.equal(top(ix, 'floor'), undefined);
    assert.equal(ix.size, 4);
  });

  test('matches a brute-force BM25F scorer on a random corpus, through updates and compaction', () => {
    const rnd = random(7);
    const vocabulary = [...new Set(Array.from({ length: 60 }, () => randomWord(rnd)))].filter(
      (w) => !isStopWord(w),
    );
    const text = (n: number) =>
      Array.from({ length: n }, () => vocabulary[Math.floor(rnd() ** 2 * 60) % vocabulary.length]).join(' ');
    const randomDoc = (): KeywordDoc => ({
      title: text(1 + Math.floor(rnd() * 5)),
      brand: rnd() < 0.5 ? text(1) : undefined,
      description: text(Math.floor(rnd() * 30)),
      attributes: rnd() < 0.3 ? text(2) : undefined,
    });
    const ix = new KeywordIndex();
    const docs = new Map<string, KeywordDoc>();
    const queries = Array.from({ length: 40 }, () => text(1 + Math.floor(rnd() * 3)));
    // Words no document has, last and in between (clauses without terms).
    queries.push(`${queries[0]} qqq`, `qqq ${queries[1]}`, `${queries[2]} qqq ${queries[3]}`);
    const compare = () => {
      for (const q of queries) {
        const expected = bruteForce(docs, q);
        const got = ix.search(q, { prefix: false, typos: false });
        assert.deepEqual(
          got.map((h) => h.id),
          expected.map((h) => h.id),
          q,
        );
        got.forEach((h, i) => {
          assert.ok(Math.abs(h.score - expected[i].score) < 1e-9, q);
        });
        // A page without a filter, small (selected as the last word is scored, once compacted) and deeper.
        for (const k of [1, 10, 64, 65])
          assert.deepEqual(
            ix.top(q, k, { prefix: false, typos: false }),
            { hits: got.slice(0, k), total: got.length },
            q,
          );
        const odd = (id: string) => Number(id.slice(1)) % 2 === 1;
        const top = ix.top(q, 7, { prefix: false, typos: false, accept: odd });
        const accepted = expected.filter((h) => odd(h.id));
        assert.equal(top.total, accepted.length);
        assert.deepEqual(top.hits, got.filter((h) => odd(h.id)).slice(0, 7));
        // head: the first 5, the rank of every located id (ties by id included) and the filtered count.
        const head = ix.head(q, 5, { prefix: false, typos: false, accept: odd, locate: [...docs.keys()] });
        assert.deepEqual(head.hits, got.slice(0, 5));
        assert.equal(head.total, accepted.length);
        // Deeper heads cut through runs of tied scores (ids ascending within a run); `present` is every match.
        for (const depth of [1, 23, 60, got.length, got.length + 3])
          assert.deepEqual(ix.head(q, depth, { prefix: false, typos: false }).hits, got.slice(0, depth), q);
        const present = ix.head(q, 5, { prefix: false, typos: false, present: [...docs.keys(), 'nope'] });
        assert.deepEqual([...present.present].sort(), got.map((h) => h.id).sort());
        assert.deepEqual(
          [...head.located].sort((a, b) => a[1].rank - b[1].rank),
          got.map((h, rank) => [h.id, { rank, score: h.score }]),
        );
      }
    };
    for (let i = 0; i < 400; i++) {
      const doc = randomDoc();
      docs.set(`d${i}`, doc);
      ix.put(`d${i}`, doc);
    }
    compare(); // every document in the delta
    ix.compact();
    compare(); // every document in the base segment
    for (let i = 0; i < 150; i++) {
      const id = `d${Math.floor(rnd() * 450)}`;
      if (rnd() < 0.3) {
        docs.delete(id);
        ix.remove(id);
      } else {
        const doc = randomDoc();
        docs.set(id, doc);
        ix.put(id, doc);
      }
    }
    compare(); // base with tombstones plus a delta
    ix.compact();
    compare();
    assert.equal(ix.size, docs.size);
  });
});

const random = (seed: number) => () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
/** Three letters, so the stemmer leaves them as they are. */
const randomWord = (rnd: () => number) =>
  ['bcdfgklmnprstvz', 'aeiou', 'bcdfgklmnprstvz'].map((s) => s[Math.floor(rnd() * s.length)]).join('');

/** BM25F as the README states it (k1 0.9, b 0.4, default weights), scored document by document. */
const bruteForce = (docs: ReadonlyMap<string, KeywordDoc>, query: string) => {
  const analyzed = [...docs].map(([id, doc]) => ({ id, fields: FIELDS.map((f) => analyze(doc[f] ?? '')) }));
  const n = analyzed.length;
  const avg = FIELDS.map((_, f) => Math.max(analyzed.reduce((s, d) => s + d.fields[f].length, 0) / n, 1));
  const clauses = analyze(query); // each query word is a clause, a repeated word counts again
  const out: Array<{ id: string; score: number }> = [];
  for (const d of analyzed) {
    let score = 0;
    for (const term of clauses) {
      const df = analyzed.filter((x) => x.fields.some((f) => f.includes(term))).length;
      if (df === 0) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      FIELDS.forEach((field, f) => {
        const tf = d.fields[f].filter((t) => t === term).length;
        if (tf === 0) return;
        const norm = 1 - 0.4 + (0.4 * d.fields[f].length) / avg[f];
        score += (idf * DEFAULT_FIELD_WEIGHTS[field] * tf * 1.9) / (tf + 0.9 * norm);
      });
    }
    if (score > 0) out.push({ id: d.id, score });
  }
  return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
};
