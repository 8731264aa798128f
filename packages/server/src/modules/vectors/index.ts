// The vectors module's public surface: item embeddings in per-tenant HNSW indexes, queried by text.
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
