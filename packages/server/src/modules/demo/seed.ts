// Loads the demo shop into an empty database and writes the first-start credentials file.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogService } from '../catalog/index.ts';
import type { TenancyService } from '../tenancy/index.ts';
import { demoCatalog } from './catalog.ts';

export const DEMO_TENANT_ID = 'demo';
export const CREDENTIALS_FILE = 'credentials.json';

export interface SeedDeps {
  tenancy: TenancyService;
  catalog: CatalogService;
  dataDir: string;
  loadDemo: boolean;
}

export interface SeedResult {
  operatorKey?: string;
  demoKey?: string;
  credentialsFile?: string;
}

/**
 * On first start: generates the operator key (unless configured), loads the demo tenant and its catalog
 * (unless disabled or already there), and writes the new secrets to `<dataDir>/credentials.json` (0600).
 */
export const seed = async ({ tenancy, catalog, dataDir, loadDemo }: SeedDeps): Promise<SeedResult> => {
  const operator = { kind: 'operator' } as const;
  const result: SeedResult = { operatorKey: (await tenancy.ensureOperatorKey()).generated };
  if (loadDemo) {
    const existing = await tenancy.listTenants(1);
    if (existing.rows.length === 0) {
      await tenancy.createTenant(operator, { id: DEMO_TENANT_ID, name: 'Demo shop' });
      const { secret } = await tenancy.createKey(operator, DEMO_TENANT_ID, {
        name: 'demo',
        scopes: ['admin'],
      });
      result.demoKey = secret;
      await catalog.batchUpsert(DEMO_TENANT_ID, demoCatalog());
    }
  }
  if (result.operatorKey || result.demoKey) {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, CREDENTIALS_FILE);
    const content = {
      note: 'Generated on first start. Keep it secret; only hashes are stored in the database.',
      ...(result.operatorKey ? { operatorKey: result.operatorKey } : {}),
      ...(result.demoKey ? { demoTenant: DEMO_TENANT_ID, demoKey: result.demoKey } : {}),
    };
    writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    result.credentialsFile = file;
  }
  return result;
};
