// Cluster leases on both SQL stores: of two contenders (two connections, as two replicas) exactly one holds a
// term; the holder renews; a lapsed lease passes to the other; a released one is free at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createLease,
  leaseMigrations,
  openSqlDatabase,
  type SqlDatabase,
} from '../../../src/adapters/sql/index.ts';
import type { Clock } from '../../../src/kernel/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const TERM_MS = 10_000;

for (const kind of STORAGE_KINDS) {
  describe(`cluster lease on ${kind.name}`, () => {
    let a: SqlDatabase;
    let b: SqlDatabase;
    let cleanup: () => Promise<void>;
    let now = 1_000_000;
    const clock: Clock = { now: () => now };

    before(async () => {
      const storage = await kind.create();
      cleanup = storage.cleanup;
      a = openSqlDatabase(storage.url, '/nonexistent');
      b = openSqlDatabase(storage.url, '/nonexistent');
      await a.migrate(leaseMigrations);
    });
    after(async () => {
      await a.close();
      await b.close();
      await cleanup();
    });

    test('two contenders racing many times: each round exactly one wins, the holder renews', async () => {
      for (let round = 0; round < 20; round++) {
        const name = `race-${round}`;
        const one = createLease(a, clock, name, { termMs: TERM_MS, holder: 'one' });
        const two = createLease(b, clock, name, { termMs: TERM_MS, holder: 'two' });
        const won = await Promise.all([one.acquire(), two.acquire(), one.acquire(), two.acquire()]);
        const winners = new Set(['one', 'two', 'one', 'two'].filter((_, i) => won[i]));
        assert.equal(winners.size, 1, `round ${round}: ${JSON.stringify(won)}`);
        const holder = winners.has('one') ? one : two;
        const other = holder === one ? two : one;
        now += TERM_MS / 2;
        assert.equal(await holder.acquire(), true, 'the holder renews before the term ends');
        assert.equal(await other.acquire(), false);
      }
    });

    test('a lapsed lease passes to the other contender; a released one is free at once', async () => {
      const one = createLease(a, clock, 'lapse', { termMs: TERM_MS, holder: 'one' });
      const two = createLease(b, clock, 'lapse', { termMs: TERM_MS, holder: 'two' });
      assert.equal(await one.acquire(), true);
      now += TERM_MS - 1;
      assert.equal(await two.acquire(), false, 'still within the term');
      now += 1;
      assert.equal(await two.acquire(), true, 'the holder stopped renewing (killed): taken over');
      assert.equal(await one.acquire(), false);
      await two.release();
      assert.equal(await one.acquire(), true, 'released: free without waiting');
      await one.release();
      await one.release(); // releasing what is not held does nothing
      const rows = await a.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM cluster_leases WHERE name = 'lapse'",
      );
      assert.equal(Number(rows[0].n), 0);
    });
  });
}
