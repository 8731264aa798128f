// The storage kinds every storage-facing suite runs against: embedded SQLite and the real PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempPgDatabase } from './postgres.ts';

export interface StorageKind {
  name: 'sqlite' | 'postgres';
  /** Makes a fresh, empty database and returns its URL and a cleanup. */
  create(): Promise<{ url: string; cleanup(): Promise<void> }>;
}

export const STORAGE_KINDS: StorageKind[] = [
  {
    name: 'sqlite',
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'quiver-sqlite-'));
      return {
        url: `sqlite://${join(dir, 'test.db')}`,
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'postgres',
    async create() {
      const db = await createTempPgDatabase();
      return { url: db.url, cleanup: db.drop };
    },
  },
];
