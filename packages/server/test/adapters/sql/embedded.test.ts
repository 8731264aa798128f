// The embedded database belongs to one process: it is opened exclusively (cheaper reads), so a second
// opener on the same data directory is refused at once instead of sharing the file.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqlDatabase } from '../../../src/adapters/sql/index.ts';

const MIGRATION = { version: 1, name: 'things', sql: 'CREATE TABLE things (id TEXT PRIMARY KEY);' };

test('a second opener of the embedded database is refused until the first closes it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'quiver-embedded-'));
  try {
    const first = openSqlDatabase(undefined, dataDir);
    await first.migrate([MIGRATION]);
    await first.execute('INSERT INTO things (id) VALUES ($1)', ['a']);
    assert.throws(() => openSqlDatabase(undefined, dataDir), /database is locked/);
    await first.close();
    const next = openSqlDatabase(undefined, dataDir);
    assert.deepEqual(await next.query('SELECT id FROM things'), [{ id: 'a' }]);
    await next.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a database named by a sqlite:// URL stays shareable between connections', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-shared-'));
  try {
    const url = `sqlite://${join(dir, 'shared.db')}`;
    const a = openSqlDatabase(url, dir);
    const b = openSqlDatabase(url, dir);
    await a.migrate([MIGRATION]);
    await a.execute('INSERT INTO things (id) VALUES ($1)', ['x']);
    assert.deepEqual(await b.query('SELECT id FROM things'), [{ id: 'x' }]);
    await Promise.all([a.close(), b.close()]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
