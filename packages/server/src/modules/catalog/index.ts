// The catalog module's public surface.
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import type { Clock, ModuleLog, QuiverModule } from '../../kernel/index.ts';
import { createCatalogRelay } from './relay.ts';
import { catalogRoutes } from './routes.ts';
import { type CatalogService, createCatalogService } from './service.ts';

export { catalogMigrations } from './migrations.ts';
export { CATALOG_TOPIC_FAMILY, type CatalogRelay, createCatalogRelay } from './relay.ts';
export { catalogRoutes } from './routes.ts';
export { type CatalogService, createCatalogService } from './service.ts';

export interface CatalogModuleDeps {
  db: SqlDatabase;
  /** Where the change feed is relayed (from the transactional outbox). */
  stream: Stream;
  clock: Clock;
  log: ModuleLog;
}

/** Items and their change feed; opens the relay that publishes the feed, and closes it. */
export const createCatalogModule = ({
  db,
  stream,
  clock,
  log,
}: CatalogModuleDeps): QuiverModule<CatalogService> => {
  const relay = createCatalogRelay({
    db,
    stream,
    onError: (error, failedPasses) => log.warn({ err: error, failedPasses }, 'catalog relay failing'),
    onRecover: (failedPasses) => log.info({ failedPasses }, 'catalog relay recovered'),
  });
  const catalog = createCatalogService({ db, clock, onChange: relay.kick });
  return { service: catalog, routes: catalogRoutes(catalog), close: () => relay.close() };
};
