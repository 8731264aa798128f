// One running run per tenant across replicas: claims of different queued runs of one tenant, raced on
// separate connections, let exactly one through (the NOT EXISTS check alone let two through under READ
// COMMITTED); other tenants are not held up.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SqlDatabase } from '../../../src/adapters/sql/index.ts';
import { createTrainingRepository, type RunRow } from '../../../src/modules/training/repository.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';
import { tenantsDb } from './db-testing.ts';

const ROUNDS = 30;
const RACERS = 4;

const queued = (tenantId: string, id: string): RunRow => ({
  tenantId,
  id,
  kind: 'popularity',
  status: 'queued',
  trigger: 'api',
  request: { params: {}, evaluation: {}, promote: 'never' },
  progress: { phase: 'queued', fraction: 0 },
  timings: {},
  result: {},
  error: null,
  createdAt: new Date().toISOString(),
  startedAt: null,
  finishedAt: null,
});

for (const kind of STORAGE_KINDS) {
  describe(`training run claims (${kind.name})`, () => {
    let db: SqlDatabase;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ db, cleanup } = await tenantsDb(['shop', 'other'], kind));
    });
    after(async () => {
      await db.close();
      await cleanup();
    });

    test('racing claims of one tenant’s queued runs: one wins each round', async () => {
      const repo = createTrainingRepository(db);
      for (let round = 0; round < ROUNDS; round++) {
        const ids = Array.from({ length: RACERS }, (_, i) => `r${round}-${i}`);
        for (const id of ids) await repo.insertRun(queued('shop', id), Date.now());
        const won = await Promise.all(ids.map((id) => repo.claimRun('shop', id, 'now', Date.now())));
        assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won}`);
        // Another tenant claims while shop's run is running.
        await repo.insertRun(queued('other', `o${round}`), Date.now());
        assert.equal(await repo.claimRun('other', `o${round}`, 'now', Date.now()), true);
        await db.execute("UPDATE training_runs SET status = 'succeeded' WHERE status = 'running'");
        await db.execute("DELETE FROM training_runs WHERE status = 'queued'");
      }
    });
  });
}
