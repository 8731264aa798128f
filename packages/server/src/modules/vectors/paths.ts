// Where a tenant's saved indexes live: `<dir>/<tenant>/<model>@v<version>-<sha12>`, named by encoder version.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelVersion } from '../registry/index.ts';

export const indexBase = (dir: string, v: Pick<ModelVersion, 'tenantId' | 'model' | 'version' | 'sha256'>) =>
  join(dir, v.tenantId, `${v.model}@v${v.version}-${v.sha256.slice(0, 12)}`);

export interface SavedIndexName {
  tenantId: string;
  model: string;
  version: number;
  base: string;
}

const NAME = /^(.+)@v(\d+)-[0-9a-f]{12}\.json$/;

/** Every saved index under `dir`. */
export const savedIndexes = async (dir: string): Promise<SavedIndexName[]> => {
  const out: SavedIndexName[] = [];
  const tenants = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const t of tenants) {
    if (!t.isDirectory()) continue;
    for (const file of await readdir(join(dir, t.name))) {
      const m = NAME.exec(file);
      if (m)
        out.push({
          tenantId: t.name,
          model: m[1],
          version: Number(m[2]),
          base: join(dir, t.name, file.slice(0, -'.json'.length)),
        });
    }
  }
  return out;
};
