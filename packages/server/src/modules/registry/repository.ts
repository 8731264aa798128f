// The only file of the registry with SQL. Every statement is scoped by tenant_id.
import type { SqlExecutor } from '../../adapters/sql/index.ts';
import type { Signature } from '../engine/index.ts';
import type { ModelVersion, VersionMetadata } from './types.ts';

export interface ModelRow {
  name: string;
  description: string | null;
  task: string | null;
  createdAt: string;
}

interface VersionRow {
  tenant_id: string;
  model: string;
  version: number;
  sha256: string;
  size: number;
  blob_key: string;
  tokenizer_key: string | null;
  signature: string;
  metadata: string;
  created_at: string;
}

const toVersion = (r: VersionRow): ModelVersion => ({
  tenantId: r.tenant_id,
  model: r.model,
  version: Number(r.version),
  sha256: r.sha256,
  size: Number(r.size),
  blobKey: r.blob_key,
  tokenizerKey: r.tokenizer_key,
  signature: JSON.parse(r.signature) as Signature,
  metadata: JSON.parse(r.metadata) as VersionMetadata,
  createdAt: r.created_at,
});

const VERSION_COLUMNS =
  'tenant_id, model, version, sha256, size, blob_key, tokenizer_key, signature, metadata, created_at';

export const registryRepository = {
  async storedBytes(db: SqlExecutor, tenantId: string): Promise<number> {
    const [r] = await db.query<{ n: unknown }>(
      'SELECT COALESCE(SUM(size), 0) AS n FROM model_versions WHERE tenant_id = $1',
      [tenantId],
    );
    return Number(r?.n ?? 0);
  },

  async insertModel(db: SqlExecutor, tenantId: string, m: ModelRow): Promise<boolean> {
    const changed = await db.execute(
      `INSERT INTO models (tenant_id, name, description, task, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, name) DO NOTHING`,
      [tenantId, m.name, m.description, m.task, m.createdAt],
    );
    return changed === 1;
  },

  async getModel(db: SqlExecutor, tenantId: string, name: string): Promise<ModelRow | undefined> {
    const [r] = await db.query<{
      name: string;
      description: string | null;
      task: string | null;
      created_at: string;
    }>('SELECT name, description, task, created_at FROM models WHERE tenant_id = $1 AND name = $2', [
      tenantId,
      name,
    ]);
    return r && { name: r.name, description: r.description, task: r.task, createdAt: r.created_at };
  },

  async listModels(db: SqlExecutor, tenantId: string, afterName: string, limit: number): Promise<ModelRow[]> {
    const rows = await db.query<{
      name: string;
      description: string | null;
      task: string | null;
      created_at: string;
    }>(
      'SELECT name, description, task, created_at FROM models WHERE tenant_id = $1 AND name > $2 ORDER BY name LIMIT $3',
      [tenantId, afterName, limit],
    );
    return rows.map((r) => ({
      name: r.name,
      description: r.description,
      task: r.task,
      createdAt: r.created_at,
    }));
  },

  /** Reserves the next version number; locks the model row so versions are gapless per model. */
  async reserveVersion(tx: SqlExecutor, tenantId: string, model: string): Promise<number | undefined> {
    const [r] = await tx.query<{ next_version: number }>(
      'UPDATE models SET next_version = next_version + 1 WHERE tenant_id = $1 AND name = $2 RETURNING next_version',
      [tenantId, model],
    );
    return r ? Number(r.next_version) - 1 : undefined;
  },

  async insertVersion(tx: SqlExecutor, v: ModelVersion): Promise<void> {
    await tx.execute(
      `INSERT INTO model_versions (${VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        v.tenantId,
        v.model,
        v.version,
        v.sha256,
        v.size,
        v.blobKey,
        v.tokenizerKey,
        JSON.stringify(v.signature),
        JSON.stringify(v.metadata),
        v.createdAt,
      ],
    );
  },

  async getVersion(
    db: SqlExecutor,
    tenantId: string,
    model: string,
    version: number,
  ): Promise<ModelVersion | undefined> {
    const [r] = await db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE tenant_id = $1 AND model = $2 AND version = $3`,
      [tenantId, model, version],
    );
    return r && toVersion(r);
  },

  async findBySha(
    db: SqlExecutor,
    tenantId: string,
    model: string,
    sha256: string,
  ): Promise<ModelVersion | undefined> {
    const [r] = await db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE tenant_id = $1 AND model = $2 AND sha256 = $3 ORDER BY version LIMIT 1`,
      [tenantId, model, sha256],
    );
    return r && toVersion(r);
  },

  async listVersions(db: SqlExecutor, tenantId: string, model: string): Promise<ModelVersion[]> {
    const rows = await db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM model_versions WHERE tenant_id = $1 AND model = $2 ORDER BY version DESC`,
      [tenantId, model],
    );
    return rows.map(toVersion);
  },

  async deleteVersion(tx: SqlExecutor, tenantId: string, model: string, version: number): Promise<boolean> {
    const changed = await tx.execute(
      'DELETE FROM model_versions WHERE tenant_id = $1 AND model = $2 AND version = $3',
      [tenantId, model, version],
    );
    return changed === 1;
  },

  /** How many versions (of any model of the tenant) still point at a blob. */
  async blobUsers(db: SqlExecutor, tenantId: string, blobKey: string): Promise<number> {
    const [r] = await db.query<{ n: number }>(
      'SELECT COUNT(*) AS n FROM model_versions WHERE tenant_id = $1 AND (blob_key = $2 OR tokenizer_key = $2)',
      [tenantId, blobKey],
    );
    return Number(r.n);
  },

  async aliases(db: SqlExecutor, tenantId: string, model: string): Promise<Record<string, number>> {
    const rows = await db.query<{ alias: string; version: number }>(
      'SELECT alias, version FROM model_aliases WHERE tenant_id = $1 AND model = $2 ORDER BY alias',
      [tenantId, model],
    );
    return Object.fromEntries(rows.map((r) => [r.alias, Number(r.version)]));
  },

  async setAlias(
    tx: SqlExecutor,
    tenantId: string,
    model: string,
    alias: string,
    version: number,
    at: string,
  ) {
    await tx.execute(
      `INSERT INTO model_aliases (tenant_id, model, alias, version, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
      [tenantId, model, alias, version, at],
    );
  },

  async deleteAlias(tx: SqlExecutor, tenantId: string, model: string, alias: string): Promise<boolean> {
    const changed = await tx.execute(
      'DELETE FROM model_aliases WHERE tenant_id = $1 AND model = $2 AND alias = $3',
      [tenantId, model, alias],
    );
    return changed === 1;
  },
};
