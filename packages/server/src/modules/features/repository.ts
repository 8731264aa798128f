// The only file of the features module with SQL: feature view and feature service definitions, per tenant.
import type { FeatureServiceInput, FeatureViewInput } from '@quiver/contracts';
import type { SqlExecutor } from '../../adapters/sql/index.ts';

export interface ViewRecord {
  name: string;
  spec: FeatureViewInput;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ServiceRecord {
  name: string;
  spec: FeatureServiceInput;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  name: string;
  spec: string;
  version?: number;
  created_at: string;
  updated_at: string;
}

const toView = (r: Row): ViewRecord => ({
  name: r.name,
  spec: JSON.parse(r.spec) as FeatureViewInput,
  version: Number(r.version),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toService = (r: Row): ServiceRecord => ({
  name: r.name,
  spec: JSON.parse(r.spec) as FeatureServiceInput,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const featuresRepository = {
  async listViews(db: SqlExecutor, tenantId: string): Promise<ViewRecord[]> {
    const rows = await db.query<Row>(
      'SELECT name, spec, version, created_at, updated_at FROM feature_views WHERE tenant_id = $1 ORDER BY name',
      [tenantId],
    );
    return rows.map(toView);
  },

  /** Creates the view, or replaces it with version + 1 when the spec differs; an equal spec is left alone. */
  async putView(
    db: SqlExecutor,
    tenantId: string,
    name: string,
    spec: string,
    at: string,
  ): Promise<{ record: ViewRecord; created: boolean }> {
    const [existing] = await db.query<Row>(
      'SELECT name, spec, version, created_at, updated_at FROM feature_views WHERE tenant_id = $1 AND name = $2',
      [tenantId, name],
    );
    if (existing?.spec === spec) return { record: toView(existing), created: false };
    const [row] = await db.query<Row>(
      `INSERT INTO feature_views (tenant_id, name, spec, version, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)
       ON CONFLICT (tenant_id, name) DO UPDATE SET spec = excluded.spec, version = feature_views.version + 1, updated_at = excluded.updated_at
       RETURNING name, spec, version, created_at, updated_at`,
      [tenantId, name, spec, at],
    );
    return { record: toView(row), created: existing === undefined };
  },

  async listServices(db: SqlExecutor, tenantId: string): Promise<ServiceRecord[]> {
    const rows = await db.query<Row>(
      'SELECT name, spec, created_at, updated_at FROM feature_services WHERE tenant_id = $1 ORDER BY name',
      [tenantId],
    );
    return rows.map(toService);
  },

  async getService(db: SqlExecutor, tenantId: string, name: string): Promise<ServiceRecord | undefined> {
    const [row] = await db.query<Row>(
      'SELECT name, spec, created_at, updated_at FROM feature_services WHERE tenant_id = $1 AND name = $2',
      [tenantId, name],
    );
    return row && toService(row);
  },

  async putService(
    db: SqlExecutor,
    tenantId: string,
    name: string,
    spec: string,
    at: string,
  ): Promise<{ record: ServiceRecord; created: boolean }> {
    const existing = await featuresRepository.getService(db, tenantId, name);
    const [row] = await db.query<Row>(
      `INSERT INTO feature_services (tenant_id, name, spec, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (tenant_id, name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at
       RETURNING name, spec, created_at, updated_at`,
      [tenantId, name, spec, at],
    );
    return { record: toService(row), created: existing === undefined };
  },
};
