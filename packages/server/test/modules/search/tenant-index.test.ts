// A tenant's search state under changes: an update that leaves the searchable text alone (price, stock)
// replaces the stored item but keeps its keyword and coverage entries; any text field's change re-indexes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Item } from '@quiver/contracts';
import { TenantIndex } from '../../../src/modules/search/tenant-index.ts';

const lamp = (changes: Partial<Item> = {}): Item => ({
  id: 'lamp',
  title: 'Brass table lamp',
  brand: 'Northwind',
  description: 'Warm light for reading',
  categories: ['home/lighting/lamps'],
  price: { amount: 49.5, currency: 'GBP' },
  available: true,
  attributes: { colour: 'gold', watts: 40 },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ...changes,
});

const hits = (index: TenantIndex, query: string) => index.keyword.search(query);

describe('tenant index puts', () => {
  test('a price and stock update replaces the item and leaves its scores as they were', () => {
    const index = new TenantIndex();
    index.put(lamp());
    index.put({ ...lamp(), id: 'sofa', title: 'Grey sofa', attributes: {} });
    const before = hits(index, 'brass lamp');
    const coverageBefore = index.coverageOf(['brass', 'lamp'])('lamp');
    index.put(lamp({ price: { amount: 39, currency: 'GBP' }, available: false, version: 2 }));
    assert.equal(index.items.get('lamp')?.price?.amount, 39);
    assert.equal(index.items.get('lamp')?.version, 2);
    assert.deepEqual(hits(index, 'brass lamp'), before);
    assert.equal(index.coverageOf(['brass', 'lamp'])('lamp'), coverageBefore);
    assert.equal(index.items.size, 2);
  });

  test('an item by its keyword number is the item stored now, and none once removed', () => {
    const index = new TenantIndex();
    index.put(lamp());
    index.put({ ...lamp(), id: 'sofa', title: 'Grey sofa', attributes: {} });
    const at = (id: string) => index.itemAt(index.keyword.numberOf(id)!);
    assert.equal(at('lamp'), index.items.get('lamp'));
    index.put(lamp({ price: { amount: 39, currency: 'GBP' }, version: 2 }));
    assert.equal(at('lamp')?.version, 2, 'a price update (text unchanged)');
    index.put(lamp({ title: 'Copper lamp', version: 3 }));
    assert.equal(at('lamp')?.version, 3, 'a text update');
    assert.equal(at('sofa'), index.items.get('sofa'));
    const no = index.keyword.numberOf('lamp')!;
    index.remove('lamp');
    assert.equal(index.itemAt(no), undefined);
    assert.equal(at('sofa')?.title, 'Grey sofa');
  });

  test('each searchable field re-indexes when it changes', () => {
    const index = new TenantIndex();
    index.put(lamp());
    const changes: [Partial<Item>, string, string][] = [
      [{ title: 'Copper desk lamp' }, 'copper', 'brass'],
      [{ brand: 'Contoso' }, 'contoso', 'northwind'],
      [{ description: 'Cool light for working' }, 'working', 'reading'],
      [{ categories: ['garden/solar'] }, 'solar', 'home'],
      [{ attributes: { colour: 'silver', watts: 40 } }, 'silver', 'gold'],
    ];
    let version = 1;
    for (const [change, added, gone] of changes) {
      index.put(lamp({ ...change, version: ++version }));
      assert.deepEqual(
        hits(index, added).map((h) => h.id),
        ['lamp'],
        `${Object.keys(change)[0]}: finds '${added}'`,
      );
      assert.deepEqual(hits(index, gone), [], `${Object.keys(change)[0]}: '${gone}' is gone`);
    }
    // Coverage follows the title, brand and description.
    index.put(lamp({ title: 'Pewter lamp', version: ++version }));
    assert.equal(index.coverageOf(['pewter'])('lamp'), 1);
    assert.equal(index.coverageOf(['brass'])('lamp'), 0);
  });
});

describe('tenant index coverage', () => {
  test('follows the keyword document numbers through removals, re-adds and compaction', () => {
    const index = new TenantIndex();
    index.put(lamp());
    index.put({ ...lamp(), id: 'sofa', title: 'Grey sofa', description: 'Soft', brand: undefined });
    index.remove('lamp');
    index.put({ ...lamp(), id: 'desk', title: 'Oak desk lamp', description: 'Sturdy', brand: undefined });
    index.keyword.compact();
    index.put(lamp({ title: 'Grey lamp', brand: undefined, description: undefined, version: 2 }));
    const covered = index.coverageOf(['grey', 'lamp']);
    assert.deepEqual(
      ['lamp', 'sofa', 'desk', 'gone'].map((id) => covered(id)),
      [1, 0.5, 0.5, undefined],
    );
    // By the head's document numbers, as the second phase reads it: the same shares.
    const head = index.keyword.head('grey lamp', 10);
    assert.deepEqual(
      head.hits.map((h, i) => [h.id, covered(h.id, head.docs[i])]),
      head.hits.map((h) => [h.id, covered(h.id)]),
    );
    assert.equal(head.hits.length, 3);
  });
});
