// A stream outage fails every relay pass (one a second): the relay reports when the failures start, then
// stays quiet (at most one report per reportEveryMs), says when it recovers, and loses no change.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqlDatabase } from '../../../src/adapters/sql/index.ts';
import { openStream, type Stream } from '../../../src/adapters/stream/index.ts';
import { MIGRATIONS } from '../../../src/app.ts';
import { QuiverError, systemClock } from '../../../src/kernel/index.ts';
import { createCatalogRelay, createCatalogService } from '../../../src/modules/catalog/index.ts';

test('a failing stream is reported once, then the recovery; every change is relayed afterwards', async () => {
  const db = openSqlDatabase(undefined, mkdtempSync(join(tmpdir(), 'quiver-relay-')));
  await db.migrate(MIGRATIONS);
  await db.execute('INSERT INTO tenants (id, name, limits, created_at) VALUES ($1, $1, $2, $3)', [
    'shop',
    '{}',
    new Date().toISOString(),
  ]);
  const real = await openStream(undefined, { db, clock: systemClock });
  let down = true;
  const stream: Stream = Object.create(real);
  stream.publish = (topic, messages) =>
    down ? Promise.reject(new QuiverError('unavailable', 'stream down')) : real.publish(topic, messages);
  const errors: number[] = [];
  const recovered: number[] = [];
  const relay = createCatalogRelay(
    { db, stream, onError: (_, n) => errors.push(n), onRecover: (n) => recovered.push(n) },
    { pollMs: 10, reportEveryMs: 60_000 },
  );
  const catalog = createCatalogService({ db, clock: systemClock, onChange: relay.kick });
  await catalog.put('shop', 'a', { title: 'A' }, {});
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(errors, [1], 'one report for a run of failed passes');
  down = false;
  await relay.flush();
  assert.equal(recovered.length, 1);
  assert.ok(recovered[0] >= 5, `failed passes counted: ${recovered[0]}`);
  const seen: string[] = [];
  const consumer = await real.consume('relay-outage-test', 'catalog.shop', async (batch) => {
    for (const m of batch) seen.push(m.json<{ itemId: string }>().itemId);
  });
  for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, ['a']);
  await consumer.stop();
  await relay.close();
  await real.close();
  await db.close();
});
