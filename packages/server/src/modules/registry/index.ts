// The model registry's public surface.
export { registryMigrations } from './migrations.ts';
export { registryRoutes } from './routes.ts';
export { createRegistryService, DEFAULT_ALIAS, type RegistryService } from './service.ts';
export type { ModelResolver, ModelVersion, VersionMetadata } from './types.ts';
