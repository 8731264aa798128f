// An item read answers JSON built around the stored text: it must be what JSON.stringify of the item writes,
// whatever characters the id and timestamps hold (the quick path skips escaping only where none is needed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ItemRecord } from '../../../src/modules/catalog/repository.ts';
import { itemJson, toItem } from '../../../src/modules/catalog/service.ts';

const record = (id: string, data: Record<string, unknown>, at: string): ItemRecord => ({
  id,
  data: data as ItemRecord['data'],
  doc: JSON.stringify(data),
  version: 7,
  createdAt: at,
  updatedAt: at,
});

test('itemJson writes what JSON.stringify(toItem(record)) writes', () => {
  const strings = [
    'SKU-1',
    '',
    'a"b',
    'back\\slash',
    'tab\there',
    'nl\n',
    '\u0000\u001f',
    '\u007f',
    'caf\u00e9 \u{1f600}',
    '\ud800 lone',
    'end\udfff',
    ' !#[]~',
    '2026-12-07T12:35:03.584Z',
  ];
  const docs = [{}, { title: 'T "q"', price: { amount: 1.5, currency: 'EUR' } }];
  for (const s of strings)
    for (const data of docs) {
      const r = record(s, data, s);
      assert.equal(itemJson(r), JSON.stringify(toItem(r)), JSON.stringify(s));
    }
});
