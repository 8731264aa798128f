// Per-version values by nested maps (version-map.ts): each (tenant, model, version) is its own entry, with no
// key string that two different versions could share.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PairMap, VersionMap } from '../../../src/modules/inference/version-map.ts';

test('VersionMap keeps one value per tenant, model and version, made once', () => {
  const map = new VersionMap<{ n: number }>();
  let made = 0;
  const make = () => ({ n: ++made });
  const a = map.obtain({ tenant: 'a/b', model: 'c', version: '1' }, make);
  // A key string `tenant/model@version` would make these two the same entry.
  const b = map.obtain({ tenant: 'a', model: 'b/c', version: '1' }, make);
  assert.notEqual(a, b);
  assert.equal(map.obtain({ tenant: 'a/b', model: 'c', version: '1' }, make), a);
  assert.equal(made, 2);
  assert.equal(map.get({ tenant: 'a', model: 'b/c', version: '1' }), b);
  assert.equal(map.get({ tenant: 'a', model: 'b/c', version: '2' }), undefined);
  assert.equal(map.get({ tenant: 'z', model: 'b/c', version: '1' }), undefined);
});

test('PairMap keeps a null value instead of making it again', () => {
  const map = new PairMap<string | null>();
  let made = 0;
  assert.equal(
    map.obtain('m', '', () => {
      made++;
      return null;
    }),
    null,
  );
  assert.equal(
    map.obtain('m', '', () => {
      made++;
      return 'again';
    }),
    null,
  );
  assert.equal(
    map.obtain('m', '1', () => 'one'),
    'one',
  );
  assert.equal(made, 1);
});
