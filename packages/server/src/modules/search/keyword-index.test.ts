// The keyword index: BM25 field weights, stemming, prefix (search-as-you-type) and typo tolerance bounds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allowedTypos, boundedDistance, KeywordIndex } from './keyword-index.ts';
import { stem } from './tokenize.ts';

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
    assert.equal(top(ix, 'sfoa grey'), 'sofa'); // transposition = 2 edits at length 4: not allowed…
    assert.equal(top(ix, 'lmap'), undefined); // …so a 4-letter word with 2 edits finds nothing
    assert.equal(top(ix, 'lampp'), 'lamp'); // 1 edit at 5 characters
    assert.equal(top(ix, 'headphnes'), 'headphones'); // 1 edit at 9
    assert.equal(top(ix, 'haedphones'), 'headphones'); // 2 edits at 10
    assert.equal(top(ix, 'blutoth speakr'), 'speaker');
  });

  test('bounded edit distance', () => {
    assert.equal(boundedDistance('kitten', 'sitting', 3), 3);
    assert.equal(boundedDistance('kitten', 'sitting', 2), 3);
    assert.equal(boundedDistance('abc', 'abc', 1), 0);
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
});
