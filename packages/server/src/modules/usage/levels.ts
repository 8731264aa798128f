// Stored amounts per tenant for metering, read through the owning modules' services (passed in by app.ts).
import type { Page } from '../../kernel/index.ts';
import type { TenantLevels } from './service.ts';

const TENANT_PAGE = 500;

export interface LevelSources {
  listTenants(limit: number, cursor?: string): Promise<Page<{ id: string }>>;
  countItems(tenantId: string): Promise<number>;
  storedBytes(tenantId: string): Promise<number>;
  /** Vectors in this replica's index of the tenant; undefined when it holds none (another replica may). */
  vectorCount(tenantId: string): number | undefined;
}

/** Every tenant's items, artifact bytes and (where this replica has an index) vectors. */
export const readLevels = async (sources: LevelSources): Promise<TenantLevels[]> => {
  const levels: TenantLevels[] = [];
  let cursor: string | undefined;
  do {
    const page = await sources.listTenants(TENANT_PAGE, cursor);
    for (const { id } of page.rows)
      levels.push({
        tenantId: id,
        items: await sources.countItems(id),
        artifactBytes: await sources.storedBytes(id),
        vectors: sources.vectorCount(id),
      });
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return levels;
};
