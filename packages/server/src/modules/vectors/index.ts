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
}

/** Item embeddings (no routes); starts the catalog feed consumer, and on close stops it and saves the indexes. */
export const createVectorsModule = ({ log, ...deps }: VectorsModuleDeps): QuiverModule<VectorsService> => {
  const vectors = createVectorsService({
    ...deps,
    onError: (err) => log.warn({ err }, 'vector index update failed'),
  });
  return { service: vectors, start: () => vectors.start(), close: () => vectors.close() };
};
