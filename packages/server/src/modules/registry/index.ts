// The model registry's public surface.
import type { QuiverModule } from '../../kernel/index.ts';
import { registryRoutes } from './routes.ts';
import { createRegistryService, type RegistryDeps, type RegistryService } from './service.ts';

export { registryMigrations } from './migrations.ts';
export { registryRoutes } from './routes.ts';
export { createRegistryService, DEFAULT_ALIAS, type RegistryDeps, type RegistryService } from './service.ts';
export type { ModelResolver, ModelVersion, VersionMetadata } from './types.ts';

/** Models, versions (artifacts in the blob store, checked by the engine) and aliases; opens nothing. */
export const createRegistryModule = (deps: RegistryDeps): QuiverModule<RegistryService> => {
  const registry = createRegistryService(deps);
  return {
    service: registry,
    routes: registryRoutes(registry, { maxArtifactBytes: deps.maxArtifactBytes }),
  };
};
