// A database for the training module's worker and repository tests (apart from testing.ts, whose fixtures
// pure tests import without loading the app).
import { openSqlDatabase } from '../../../src/adapters/sql/index.ts';
import { MIGRATIONS } from '../../../src/app.ts';
import { STORAGE_KINDS, type StorageKind } from '../../support/storage.ts';

/** A fresh database of `kind` (SQLite unless given) with every migration and the tenants `ids`. */
export const tenantsDb = async (ids: readonly string[], kind: StorageKind = STORAGE_KINDS[0]) => {
  const storage = await kind.create();
  const db = openSqlDatabase(storage.url, '');
  await db.migrate(MIGRATIONS);
  for (const id of ids)
    await db.execute('INSERT INTO tenants (id, name, limits, created_at) VALUES ($1, $1, $2, $3)', [
      id,
      '{}',
      new Date().toISOString(),
    ]);
  return { db, cleanup: storage.cleanup };
};
