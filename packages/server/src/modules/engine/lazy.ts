// An engine whose worker threads start on first use, so an app that serves no model pays nothing for them.
import {
  createInferenceEngine,
  type EngineDeps,
  type EngineOptions,
  type InferenceEngine,
} from './engine.ts';
import { DEFAULT_POOL_SIZE } from './pool.ts';

export const createLazyInferenceEngine = (
  deps: EngineDeps = {},
  options: EngineOptions = {},
): InferenceEngine => {
  let engine: InferenceEngine | undefined;
  const started = () => {
    engine ??= createInferenceEngine(deps, options);
    return engine;
  };
  return {
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    load: (key, source, loadOptions) => started().load(key, source, loadOptions),
    get: (key) => engine?.get(key),
    infer: (key, request) => started().infer(key, request),
    unload: async (key) => engine?.unload(key),
    close: async () => engine?.close(),
  };
};
