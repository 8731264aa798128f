// Query classes: assigned from the text alone, first matching rule wins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { queryClass } from '../../src/eval/classes.ts';

test('query classes: a digit anywhere makes a model number, otherwise the word count decides', () => {
  assert.equal(queryClass('iphone 7'), 'model number');
  assert.equal(queryClass('ps4'), 'model number');
  assert.equal(queryClass('brother tn-2110 toner'), 'model number');
  assert.equal(queryClass('laptop'), 'one word');
  assert.equal(queryClass('  Garmin '), 'one word');
  assert.equal(queryClass(''), 'one word');
  assert.equal(queryClass('gaming mouse'), 'two words');
  assert.equal(queryClass('head-set'), 'two words');
  assert.equal(queryClass('external dvd drive'), 'long tail');
  assert.equal(queryClass('the boys are back in town'), 'long tail');
});
