// The vectors module's public surface: item embeddings in per-tenant HNSW indexes, queried by text.
import type { ModuleLog, QuiverModule } from '../../kernel/index.ts';
import { createVectorsService, type VectorsDeps, type VectorsService } from './service.ts';

export { BUILTIN_ENCODER_MODEL } from './encoder.ts';
export { itemText } from './item-text.ts';
export {
  createVectorsService,
  type IndexStatus,
  type VectorRetriever,
  type VectorsDeps,
  type VectorsOptions,
  type VectorsService,
} from './service.ts';

export interface VectorsModuleDeps extends Omit<VectorsDeps, 'onError'> {
  log: ModuleLog;
  /** The tenants whose vectors are on: their indexes are built at start, ahead of their queries. */
  tenantsWithVectors(): Promise<string[]>;
}

/**
 * Item embeddings (no routes); starts the catalog feed consumer, then builds the indexes of the tenants with
 * vectors on, one after another in the background; on close stops the consumer and saves the indexes.
 */
export const createVectorsModule = ({
  log,
  tenantsWithVectors,
  ...deps
}: VectorsModuleDeps): QuiverModule<VectorsService> => {
  let closed = false;
  const vectors = createVectorsService({
    ...deps,
    onError: (err) => log.warn({ err }, 'vector index update failed'),
  });
  const warm = async () => {
    for (const tenantId of await tenantsWithVectors()) if (!closed) await vectors.ready(tenantId);
  };
  return {
    service: vectors,
    async start() {
      await vectors.start();
      void warm().catch((err) => log.warn({ err }, 'vector index warm-up failed'));
    },
    close: () => {
      closed = true;
      return vectors.close();
    },
  };
};
