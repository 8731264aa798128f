// The dataset mappings on real lines of each file in ../shared/datasets, and format detection.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectFormat, FORMATS, type Mapped } from '../../src/formats/index.ts';
import { toId } from '../../src/formats/types.ts';
import { readRecords } from '../../src/records.ts';
import { openSource } from '../../src/source.ts';
import { DATASETS, ONLINE_RETAIL, ONLINE_RETAIL_LINE_2 } from '../datasets.ts';

const REES46 = join(DATASETS, 'rees46-oct2019-head/events.csv');
const OTTO = join(DATASETS, 'otto-sample/train.jsonl');

/** Maps the data records of a file up to `lastLine`, keyed by line number. */
const mapLines = async (file: string, lastLine = Number.POSITIVE_INFINITY) => {
  const source = await openSource(file);
  const byLine = new Map<number, Mapped>();
  for await (const r of readRecords(file, {
    start: source.dataStart,
    line: source.dataLine,
    quoted: source.format.kind === 'csv',
  })) {
    if (r.line > lastLine) break;
    byLine.set(r.line, source.map(r));
  }
  return { format: source.format.name, byLine };
};

describe('Online Retail mapping', async () => {
  const { format, byLine } = await mapLines(ONLINE_RETAIL, 5000);

  test('is detected from the header', () => assert.equal(format, 'online-retail'));

  test('an invoice line is one purchase; the stock code is an item with its title and GBP price', () => {
    assert.deepEqual(byLine.get(2), {
      events: [ONLINE_RETAIL_LINE_2],
      items: [
        {
          id: '85123A',
          title: 'WHITE HANGING HEART T-LIGHT HOLDER',
          price: { amount: 2.55, currency: 'GBP' },
        },
      ],
    });
  });

  test('descriptions with quoted commas and escaped quotes', () => {
    assert.equal(byLine.get(111)?.items[0].title, 'AIRLINE LOUNGE,METAL SIGN');
    assert.equal(byLine.get(873)?.items[0].title, 'RECORD FRAME 7" SINGLE SIZE');
    assert.equal(byLine.get(873)?.events[0].quantity, 48);
  });

  test('a C invoice is a cancellation with positive quantity and value', () => {
    const [event] = byLine.get(156)!.events;
    assert.equal(event.type, 'custom:cancellation');
    assert.equal(event.sessionId, 'C536383');
    assert.equal(event.quantity, 1);
    assert.equal(event.value, 4.65);
  });

  test('a blank CustomerID is a guest of that invoice; a blank description falls back to the code', () => {
    const mapped = byLine.get(624)!;
    assert.equal(mapped.events[0].userId, 'guest-536414');
    assert.equal(mapped.events[0].value, 0);
    assert.deepEqual(mapped.items[0], { id: '22139', title: '22139', price: { amount: 0, currency: 'GBP' } });
  });

  test('stock write-offs are skipped; a code with a space becomes a valid id', () => {
    assert.equal(byLine.get(2408)?.skipped, 'not a sale');
    assert.equal(byLine.get(4408)?.events[0].itemId, 'BANK_CHARGES');
    const all = [...byLine.values()];
    assert.equal(all.length, 4999);
    assert.equal(all.filter((m) => m.skipped).length, 2);
    assert.equal(new Set(all.flatMap((m) => m.items.map((i) => i.id))).size, 1595);
  });
});

describe('REES46 mapping', async () => {
  const { format, byLine } = await mapLines(REES46, 400);

  test('is detected from the header', () => assert.equal(format, 'rees46'));

  test('a view: user, session, UTC time; the item gets brand, category path and USD price', () => {
    assert.deepEqual(byLine.get(3), {
      events: [
        {
          id: 'rees46-3',
          type: 'view',
          userId: '554748717',
          sessionId: '9333dfbd-b87a-4708-9857-6336556b0fcc',
          itemId: '3900821',
          timestamp: '2019-10-01T00:00:00Z',
        },
      ],
      items: [
        {
          id: '3900821',
          title: 'aqua water heater',
          categories: ['appliances/environment/water_heater'],
          brand: 'aqua',
          price: { amount: 33.2, currency: 'USD' },
        },
      ],
    });
    assert.equal(byLine.get(2)?.items[0].title, 'shiseido');
  });

  test('cart → add_to_cart and purchase → purchase, with quantity 1 and the price as value', () => {
    const [cart] = byLine.get(333)!.events;
    assert.deepEqual(
      [cart.type, cart.itemId, cart.quantity, cart.value],
      ['add_to_cart', '5100816', 1, 29.51],
    );
    const [purchase] = byLine.get(164)!.events;
    assert.deepEqual([purchase.type, purchase.userId, purchase.value], ['purchase', '543272936', 130.76]);
  });
});

describe('OTTO mapping', async () => {
  const { format, byLine } = await mapLines(OTTO);

  test('is detected from the first line', () => assert.equal(format, 'otto'));

  test('a session line: clicks, carts, orders; ms timestamps; the session is the user', () => {
    const session = byLine.get(1)!;
    assert.equal(session.events.length, 276);
    assert.deepEqual(session.events[0], {
      id: 'otto-0-0',
      type: 'click',
      userId: 'otto-0',
      sessionId: '0',
      itemId: '1517085',
      timestamp: '2022-07-31T22:00:00.025Z',
    });
    assert.deepEqual(
      session.events.slice(6, 9).map((e) => [e.type, e.itemId]),
      [
        ['add_to_cart', '1649869'],
        ['add_to_cart', '461689'],
        ['purchase', '305831'],
      ],
    );
    assert.deepEqual(session.items[0], { id: '1517085', title: 'Article 1517085' });
  });

  test('the whole sample: 862 events, 510 distinct articles (as its SOURCE.md says)', () => {
    const all = [...byLine.values()];
    assert.equal(
      all.reduce((n, m) => n + m.events.length, 0),
      862,
    );
    assert.equal(new Set(all.flatMap((m) => m.items.map((i) => i.id))).size, 510);
  });
});

describe('generic JSONL and detection', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-cli-jsonl-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('events pass as they are; a missing id becomes jsonl-<line>; no items are made up', async () => {
    const file = join(dir, 'events.jsonl');
    const event = { id: 'e1', type: 'view', userId: 'u1', itemId: 'i1', timestamp: '2024-01-01T00:00:00Z' };
    writeFileSync(
      file,
      `${JSON.stringify(event)}\n${JSON.stringify({ ...event, id: undefined })}\nnot json\n`,
    );
    const { format, byLine } = await mapLines(file);
    assert.equal(format, 'jsonl');
    assert.deepEqual(byLine.get(1), { events: [event], items: [] });
    assert.equal(byLine.get(2)?.events[0].id, 'jsonl-2');
    assert.equal(byLine.get(3)?.skipped, 'invalid JSON');
  });

  test('an unknown header is not guessed; ids are made valid', () => {
    assert.equal(detectFormat('a,b,c'), undefined);
    assert.equal(detectFormat('{"foo": 1}'), undefined);
    assert.equal(
      detectFormat(
        'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session',
      ),
      FORMATS.rees46,
    );
    assert.equal(toId('BANK CHARGES'), 'BANK_CHARGES');
    assert.equal(toId('_x/y'), 'x_x_y');
  });
});
