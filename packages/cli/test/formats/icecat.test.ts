// The icecat catalog format: a product line becomes one item (price in cents → amount), no events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { icecat } from '../../src/formats/icecat.ts';
import { detectFormat } from '../../src/formats/index.ts';

const LINE = {
  id: '3920564',
  title: 'Xerox 006R90321 toner cartridge ',
  text: 'Toner for CopyCentre C65',
  brand: 'Xerox',
  price: 4995,
  ean: ['0095205603217'],
};

test('icecat: detected from its first line and mapped to an item', () => {
  assert.equal(detectFormat(JSON.stringify(LINE))?.name, 'icecat');
  assert.deepEqual(icecat.map(LINE, 1), {
    events: [],
    items: [
      {
        id: '3920564',
        title: 'Xerox 006R90321 toner cartridge',
        description: 'Toner for CopyCentre C65',
        brand: 'Xerox',
        price: { amount: 49.95, currency: 'EUR' },
        attributes: { ean: ['0095205603217'] },
      },
    ],
  });
  assert.equal(icecat.map({ id: 'x' }, 2).skipped, 'no id or title');
});
