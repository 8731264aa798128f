// `quiver import` end to end: the first 5,000 lines of Online Retail into a real Quiver, run as a user would.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  HEAD_5000,
  headOf,
  itemIds,
  ONLINE_RETAIL,
  ONLINE_RETAIL_LINE_2,
  runCli,
  type Server,
  startServer,
  storedEvents,
} from './testing.ts';

describe('quiver import (Online Retail head, real server)', () => {
  let server: Server;
  let key: string;
  const statePath = () => join(server.dir, 'data', 'or-head.csv.quiver-import.json');

  before(async () => {
    server = await startServer();
    key = await server.tenant('retail');
    await headOf(ONLINE_RETAIL, 5000, join(server.dir, 'or-head.csv'));
    // The key comes from where `npm start` writes it, as it does for a user who just started the server.
    mkdirSync(join(server.dir, 'data'));
    writeFileSync(join(server.dir, 'data', 'credentials.json'), JSON.stringify({ demoKey: key }));
  });
  after(() => server.close());

  test('imports every row: each event once, each referenced item created, a summary and progress', async () => {
    const run = await runCli(['import', 'or-head.csv', '--url', server.url], { cwd: server.dir }).done;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: complete/);
    assert.match(run.stdout, /rows +4,999 \(skipped 2: not a sale 2\)/);
    assert.match(run.stdout, /events +4,997: accepted 4,997, duplicates 0, rejected 0/);
    assert.match(run.stdout, /items +created 1,595, updated 0, failed 0/);
    // stderr is not a terminal here: plain progress lines, no carriage returns.
    assert.match(run.stderr, /^import: +[\d.]+%, rows [\d,]+, events sent [\d,]+, [\d,]+ events\/s/m);
    assert.ok(!run.stderr.includes('\r'));

    const events = await storedEvents(server.app, key);
    assert.equal(events.length, HEAD_5000.events);
    assert.equal(new Set(events.map((e) => e.id)).size, HEAD_5000.events, 'no event twice');
    const { receivedAt, ...first } = events.find((e) => e.id === 'or-2')!;
    assert.ok(receivedAt);
    assert.deepEqual(first, ONLINE_RETAIL_LINE_2);
    assert.equal(events.filter((e) => e.type === 'custom:cancellation').length, 70);

    const ids = await itemIds(server.app, key);
    assert.equal(ids.length, HEAD_5000.items);
    const referenced = new Set(events.map((e) => e.itemId));
    assert.deepEqual(new Set(ids), referenced, 'exactly the items the events reference');
    const item = await server.app.request({
      method: 'GET',
      url: '/v1/items/85123A',
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(item.json().title, 'WHITE HANGING HEART T-LIGHT HOLDER');
    assert.deepEqual(item.json().price, { amount: 2.55, currency: 'GBP' });
    assert.equal(item.json().version, 1, 'created once');

    const state = JSON.parse(readFileSync(statePath(), 'utf8'));
    assert.equal(state.done, true);
    assert.equal(state.totals.accepted, HEAD_5000.events);
  });

  test('a rerun of a finished import sends nothing; --restart re-sends and the server counts duplicates', async () => {
    const again = await runCli(['import', 'or-head.csv', '--url', server.url], { cwd: server.dir }).done;
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already complete/);

    const restart = await runCli(
      ['import', 'or-head.csv', '--url', server.url, '--restart', '--batch', '1000'],
      {
        cwd: server.dir,
      },
    ).done;
    assert.equal(restart.code, 0, restart.stderr);
    assert.match(restart.stdout, /accepted 0, duplicates 4,997, rejected 0/);
    assert.match(restart.stdout, /items +created 0, updated 1,595/);
    assert.equal((await storedEvents(server.app, key)).length, HEAD_5000.events);
  });

  test('a wrong key stops at once with a clear message (401), and so does a key without events:write (403)', async () => {
    const wrong = await runCli(['import', 'or-head.csv', '--url', server.url, '--state', 'other.json'], {
      cwd: server.dir,
      env: { QUIVER_KEY: 'qk_not-a-real-key-000000000000' },
    }).done;
    assert.equal(wrong.code, 77);
    assert.match(wrong.stderr, /quiver: The server refused the API key \(401/);

    const catalogOnly = await server.tenant('catalog-only', ['catalog:write']);
    const refused = await runCli(
      ['import', 'or-head.csv', '--url', server.url, '--key', catalogOnly, '--state', 'other.json'],
      { cwd: server.dir },
    ).done;
    assert.equal(refused.code, 77);
    assert.match(refused.stderr, /may not call POST \/v1\/events \(403.*events:write/);
    const state = JSON.parse(readFileSync(join(server.dir, 'other.json'), 'utf8'));
    assert.equal(state.totals.events, 0, 'nothing acknowledged, so a rerun starts at the first row');

    // With a good key, the same state file (nothing acknowledged, another key) is replaced, not refused.
    const good = await server.tenant('good');
    const fixed = await runCli(
      ['import', 'or-head.csv', '--url', server.url, '--key', good, '--state', 'other.json'],
      {
        cwd: server.dir,
      },
    ).done;
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.match(fixed.stdout, /accepted 4,997/);
    assert.match(fixed.stdout, /items +created 1,595/);
  });

  test('JSONL: invalid events are counted and shown, even a batch with no valid event; the rest goes in', async () => {
    const ok = { type: 'view', userId: 'u1', itemId: 'i1', timestamp: '2024-01-01T00:00:00Z' };
    const lines = [
      { ...ok, id: 'bad-1', itemId: undefined },
      { ...ok, id: 'bad-2', type: 'hover' },
      { ...ok, id: 'good-1' },
      { ...ok, id: 'bad-3', timestamp: 'yesterday' },
    ];
    writeFileSync(join(server.dir, 'events.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
    const run = await runCli(['import', 'events.jsonl', '--url', server.url, '--key', key, '--batch', '2'], {
      cwd: server.dir,
    }).done;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\(jsonl\)/);
    assert.match(run.stdout, /events +4: accepted 1, duplicates 0, rejected 3/);
    assert.match(run.stdout, /first errors:\n +event bad-1: \/itemId is required/);
    assert.match(run.stdout, /event bad-3: \/timestamp/);
  });

  test('usage errors: no file, an unknown format, an unreadable file', async () => {
    const none = await runCli(['import'], { cwd: server.dir }).done;
    assert.equal(none.code, 64);
    assert.match(none.stderr, /Give one file/);
    const format = await runCli(['import', 'or-head.csv', '--format', 'xls'], { cwd: server.dir }).done;
    assert.equal(format.code, 64);
    assert.match(format.stderr, /Unknown --format xls/);
    const missing = await runCli(['import', 'nope.csv', '--key', key], { cwd: server.dir }).done;
    assert.equal(missing.code, 65);
    assert.ok(!existsSync(join(server.dir, 'data', 'nope.csv.quiver-import.json')));
  });
});
