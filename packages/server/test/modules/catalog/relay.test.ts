// The catalog change feed rides the stream port: every committed write appears on `catalog.<tenantId>`,
// in feed order, once per sequence number, on the embedded log and on NATS JetStream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { StreamMessage } from '../../../src/adapters/stream/index.ts';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const setups = [
  { name: 'SQLite + embedded log', kind: STORAGE_KINDS[0], overrides: {} },
  { name: 'PostgreSQL + NATS JetStream', kind: STORAGE_KINDS[1], overrides: { streamUrl: NATS_URL } },
];

interface Relayed {
  tenantId: string;
  seq: number;
  itemId: string;
  op: string;
}

const waitFor = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), `timed out waiting for ${what}`);
};

for (const setup of setups) {
  describe(`catalog feed on the stream (${setup.name})`, () => {
    let t: TestApp;
    const tenants = {
      a: `feed-a-${randomBytes(3).toString('hex')}`,
      b: `feed-b-${randomBytes(3).toString('hex')}`,
    };
    before(async () => {
      t = await startTestApp(setup.kind, setup.overrides);
    });
    after(() => t.close());

    test('writes appear in feed order, tenant by tenant', async () => {
      const a = await t.tenant(tenants.a);
      const b = await t.tenant(tenants.b);
      await t.request({
        method: 'POST',
        url: '/v1/items/batch',
        headers: a,
        payload: {
          items: [
            { id: 'x', title: 'X' },
            { id: 'y', title: 'Y' },
          ],
        },
      });
      await t.request({ method: 'PATCH', url: '/v1/items/x', headers: a, payload: { title: 'X2' } });
      await t.request({ method: 'DELETE', url: '/v1/items/y', headers: a });
      await t.request({ method: 'PUT', url: '/v1/items/only-b', headers: b, payload: { title: 'B' } });
      const seen: Relayed[] = [];
      const consumer = await t.stream.consume(
        `relay-test-${randomBytes(3).toString('hex')}`,
        `catalog.${tenants.a}`,
        async (batch: readonly StreamMessage[]) => {
          seen.push(...batch.map((m) => m.json<Relayed>()));
        },
      );
      try {
        await waitFor(() => seen.length >= 4, 'four relayed changes');
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(
          seen.map((c) => [c.tenantId, c.seq, c.itemId, c.op]),
          [
            [tenants.a, 1, 'x', 'upsert'],
            [tenants.a, 2, 'y', 'upsert'],
            [tenants.a, 3, 'x', 'upsert'],
            [tenants.a, 4, 'y', 'delete'],
          ],
        );
      } finally {
        await consumer.stop();
      }
    });
  });
}
