// The inference service: resolves a tenant's model version, checks inputs, answers from cache or runs it.
import {
  annotate,
  type Clock,
  isQuiverError,
  type ModuleLog,
  QuiverError,
  systemClock,
  withSpan,
} from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import { type InferenceEngine, type Tensors, validateInputs } from '../engine/index.ts';
import type { ModelResolver, ModelVersion } from '../registry/index.ts';
import { createResponseCache, inputsHash, type ResponseCache } from './cache.ts';
import { decodeInputs } from './decode.ts';
import { checkRequestedOutputs, encodeOutputs, viewOutputs } from './encode.ts';
import { type FeatureFetcher, featureTensors } from './feature-inputs.ts';
import { createModelManager, engineKey, type ManagerOptions, servedLabels } from './manager.ts';
import { inferenceMetrics, type ServedLabels } from './metrics.ts';
import { type ModelConfig, modelConfig } from './model-config.ts';
import { createResolveCache } from './resolve.ts';
import type {
  InferAnswer,
  InferRequestBody,
  InferViewsBody,
  ModelMetadata,
  ServerMetadata,
} from './schemas.ts';
import type { ModelStatistics } from './stats.ts';

export const SERVER_NAME = 'quiver';
/** The server package's version, reported by GET /v2. */
export const SERVER_VERSION = '0.1.0';
export const PLATFORM = 'onnxruntime_onnx';
/** Protocol extensions GET /v2 lists; `model_repository` too when the service can list a tenant's models. */
export const EXTENSIONS = ['binary_tensor_data', 'classification', 'model_configuration', 'statistics'];

/** One row of the model repository index (Triton's RepositoryIndexResponse.ModelIndex). */
export interface RepositoryEntry {
  name: string;
  version: string;
  state: 'READY' | 'LOADING' | 'UNAVAILABLE';
  reason: string;
}

export interface InferenceDeps {
  resolver: ModelResolver;
  engine: InferenceEngine;
  metrics: Metrics;
  clock?: Clock;
  log?: Pick<ModuleLog, 'warn'>;
  /** True once the server began draining: GET /v2/health/ready turns false. */
  draining?: () => boolean;
  /** The feature store, for versions whose inputs come from features (see feature-inputs.ts). */
  features?: FeatureFetcher;
  /** Every model name of a tenant (the model repository extension lists them); absent: no such extension. */
  models?: (tenantId: string) => Promise<string[]>;
}

export interface InferenceOptions extends ManagerOptions {
  /** How long a version resolution is reused (see resolve.ts). */
  resolveTtlMs?: number;
}

export interface InferCallOptions {
  /** From the `Quiver-Timeout-Ms` header; wins over `parameters.timeout_ms`. */
  timeoutMs?: number;
  /** The bytes after the JSON header under the binary tensor data extension (see body.ts). */
  binary?: Buffer;
  /**
   * The answer goes straight to respond.ts (the /v2 routes): FP32 output data may stay a Float32Array instead
   * of a JS array of numbers. Callers that read or re-serialize the body leave it unset.
   */
  wire?: boolean;
}

/** How long a model's /ready waits for a cold version to load when the request names no timeout. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

export interface InferenceService {
  server(): ServerMetadata;
  ready(): boolean;
  metadata(tenantId: string, model: string, ref?: string): Promise<ModelMetadata>;
  /**
   * Whether the version is loaded and warm. Asking starts its load and waits for it up to `timeoutMs`
   * (default DEFAULT_READY_TIMEOUT_MS; 0 does not wait): `ready: false` only when the load is still going
   * (it goes on) or the service is closing. A load that fails throws its error.
   */
  modelReady(
    tenantId: string,
    model: string,
    ref?: string,
    options?: InferCallOptions,
  ): Promise<{ name: string; ready: boolean }>;
  infer(
    tenantId: string,
    model: string,
    ref: string | undefined,
    body: InferRequestBody,
    options?: InferCallOptions,
  ): Promise<InferAnswer>;
  /**
   * `infer` for callers in this process: the outputs as views of the engine's arrays (see ViewOutput), not
   * copied into JSON arrays; binary output parameters do not apply.
   */
  inferViews(
    tenantId: string,
    model: string,
    ref: string | undefined,
    body: InferRequestBody,
    options?: Pick<InferCallOptions, 'timeoutMs'>,
  ): Promise<InferViewsBody>;
  /** The statistics extension: every version of the tenant's model (or the one `ref` names; all models when no model). */
  statistics(tenantId: string, model?: string, ref?: string): Promise<{ model_stats: ModelStatistics[] }>;
  /** The model configuration extension: the version's signature and batching as Triton's ModelConfig. */
  config(tenantId: string, model: string, ref?: string): Promise<ModelConfig>;
  /** The model repository extension: each model's default version and any other loaded one, with its state. */
  repositoryIndex(tenantId: string, readyOnly?: boolean): Promise<RepositoryEntry[]>;
  /** Loads the model's default version (as its first request would) and waits until it is ready. */
  loadModel(tenantId: string, model: string): Promise<void>;
  /** Unloads every loaded version of the model; the next request (or load) loads it again. */
  unloadModel(tenantId: string, model: string): Promise<void>;
  close(): Promise<void>;
}

/** True once `work` resolves, false if `ms` pass first; rejects with its error if it fails in time. */
const within = (work: Promise<void>, ms: number): Promise<boolean> => {
  if (ms <= 0) return Promise.resolve(false);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([work.then(() => true), timeout]).finally(() => clearTimeout(timer));
};

export const createInferenceService = (
  deps: InferenceDeps,
  options: InferenceOptions = {},
): InferenceService => {
  const clock = deps.clock ?? systemClock;
  const m = inferenceMetrics(deps.metrics);
  const caches = new Map<string, ResponseCache>();
  const manager = createModelManager(
    {
      engine: deps.engine,
      resolver: deps.resolver,
      metrics: m,
      log: deps.log,
      onUnload: (key) => caches.delete(key),
    },
    options,
  );
  const resolved = createResolveCache({ resolver: deps.resolver, clock }, { ttlMs: options.resolveTtlMs });
  let closed = false;

  const preload = (version: ModelVersion) =>
    manager.ensure(version).catch((error) => {
      deps.log?.warn({ err: error, model: engineKey(version) }, 'loading a model ahead of traffic failed');
    });

  deps.resolver.onAliasChange((tenantId, model, _alias, version) => {
    resolved.invalidate(tenantId, model);
    if (closed) return;
    deps.resolver.resolve(tenantId, model, String(version)).then(preload, (error) => {
      deps.log?.warn({ err: error, model }, 'resolving a new alias target failed');
    });
  });

  const cacheOf = (v: ModelVersion): ResponseCache | undefined => {
    const settings = v.metadata.cache;
    if (!settings?.enabled) return undefined;
    const key = engineKey(v);
    let cache = caches.get(key);
    if (!cache) {
      cache = createResponseCache({ clock }, settings);
      caches.set(key, cache);
    }
    return cache;
  };

  const run = async (v: ModelVersion, labels: ServedLabels, inputs: Tensors, deadline?: number) => {
    const compute = async () => (await manager.infer(v, { tenant: v.tenantId, inputs, deadline })).outputs;
    const cache = cacheOf(v);
    if (!cache) return compute();
    // A miss is counted whether or not its computation succeeds; only successes are kept.
    let computed = false;
    try {
      return (
        await cache.get(inputsHash(inputs), () => {
          computed = true;
          return compute();
        })
      ).outputs;
    } finally {
      m.cache(labels, !computed);
      annotate({ 'quiver.cache.hit': !computed });
    }
  };

  /** The request run (or answered from cache) with its metrics and span; `encode` shapes the engine's outputs. */
  const answer = <T>(
    tenantId: string,
    model: string,
    ref: string | undefined,
    body: InferRequestBody,
    callOptions: InferCallOptions,
    encode: (outputs: Tensors, v: ModelVersion) => T,
  ): Promise<T> =>
    withSpan('inference.infer', { 'quiver.tenant': tenantId, 'quiver.model': model }, () =>
      answerUntraced(tenantId, model, ref, body, callOptions, encode),
    );

  const answerUntraced = async <T>(
    tenantId: string,
    model: string,
    ref: string | undefined,
    body: InferRequestBody,
    callOptions: InferCallOptions,
    encode: (outputs: Tensors, v: ModelVersion) => T,
  ): Promise<T> => {
    const started = performance.now();
    const timeoutMs = callOptions.timeoutMs ?? body.parameters?.timeout_ms;
    // An explicit timeout counts from arrival, so time spent resolving and loading is part of it.
    const deadline = timeoutMs === undefined ? undefined : clock.now() + timeoutMs;
    let labels: ServedLabels = { tenant: tenantId, model: '', version: '' };
    let ok = false;
    try {
      const v = await resolved.resolve(tenantId, model, ref);
      labels = servedLabels(v);
      annotate({ 'quiver.model.version': labels.version });
      const inputs = {
        ...(await featureTensors(deps.features, v, body.parameters)),
        ...decodeInputs(body.inputs, '/inputs', callOptions.binary),
      };
      validateInputs(v.signature, inputs);
      checkRequestedOutputs(v.signature, body.outputs);
      const encoded = encode(await run(v, labels, inputs, deadline), v);
      ok = true;
      return encoded;
    } catch (error) {
      m.failure(labels, isQuiverError(error) ? error.code : 'internal');
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      m.request(labels);
      m.latency(labels, seconds);
      m.stats.request(labels, ok, seconds, clock.now());
    }
  };

  const head = (v: ModelVersion, body: InferRequestBody) => ({
    model_name: v.model,
    model_version: String(v.version),
    ...(body.id === undefined ? {} : { id: body.id }),
  });

  const listModels = (tenantId: string): Promise<string[]> => {
    if (!deps.models)
      throw new QuiverError('route_not_found', 'The model repository extension is not enabled');
    return deps.models(tenantId);
  };

  const versionStats = async (tenantId: string, model: string, ref?: string) => {
    const numbers =
      ref === undefined
        ? await deps.resolver.versions(tenantId, model)
        : [(await resolved.resolve(tenantId, model, ref)).version];
    if (ref === undefined && numbers.length === 0) await resolved.resolve(tenantId, model); // 404 when absent
    return numbers.map((n) => m.stats.get({ tenant: tenantId, model, version: String(n) }));
  };

  const extensions = [...EXTENSIONS, ...(deps.models ? ['model_repository'] : [])].sort();

  return {
    server: () => ({ name: SERVER_NAME, version: SERVER_VERSION, extensions: [...extensions] }),

    ready: () => !closed && !deps.draining?.(),

    async metadata(tenantId, model, ref) {
      const v = await resolved.resolve(tenantId, model, ref);
      const versions = await deps.resolver.versions(tenantId, model);
      return {
        name: model,
        versions: versions.map(String),
        platform: PLATFORM,
        inputs: v.signature.inputs,
        outputs: v.signature.outputs,
      };
    },

    async modelReady(tenantId, model, ref, callOptions = {}) {
      const v = await resolved.resolve(tenantId, model, ref);
      if (manager.isReady(v) || closed) return { name: model, ready: manager.isReady(v) };
      const loading = manager.ensure(v);
      const ready = await within(loading, callOptions.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      // The load goes on after this answer; if it then fails, the log says so.
      if (!ready)
        loading.catch((error) =>
          deps.log?.warn({ err: error, model: engineKey(v) }, 'loading a model failed'),
        );
      return { name: model, ready };
    },

    infer: (tenantId, model, ref, body, callOptions = {}) =>
      answer(tenantId, model, ref, body, callOptions, (outputs, v) => {
        const encoded = encodeOutputs(outputs, v.signature, body, { wire: callOptions.wire });
        return { body: { ...head(v, body), outputs: encoded.outputs }, chunks: encoded.chunks };
      }),

    inferViews: (tenantId, model, ref, body, callOptions = {}) =>
      answer(tenantId, model, ref, body, callOptions, (outputs, v) => ({
        ...head(v, body),
        outputs: viewOutputs(outputs, v.signature, body),
      })),

    async statistics(tenantId, model, ref) {
      const models = model === undefined ? await listModels(tenantId) : [model];
      const model_stats = (await Promise.all(models.map((name) => versionStats(tenantId, name, ref)))).flat();
      return { model_stats };
    },

    async config(tenantId, model, ref) {
      const v = await resolved.resolve(tenantId, model, ref);
      return modelConfig(v, deps.engine.poolSize, deps.engine.get(engineKey(v))?.execution);
    },

    async repositoryIndex(tenantId, readyOnly = false) {
      const loaded = manager.loaded(tenantId);
      const entries: RepositoryEntry[] = [];
      for (const name of await listModels(tenantId)) {
        const here = loaded.filter((l) => l.model === name);
        try {
          const v = await resolved.resolve(tenantId, name);
          if (!here.some((l) => l.version === String(v.version)))
            entries.push({ name, version: String(v.version), state: 'UNAVAILABLE', reason: 'unloaded' });
        } catch (error) {
          if (!isQuiverError(error) || error.code !== 'not_found') throw error;
          if (here.length === 0)
            entries.push({ name, version: '', state: 'UNAVAILABLE', reason: 'no versions' });
        }
        for (const l of here) entries.push({ name, version: l.version, state: l.state, reason: '' });
      }
      entries.sort((a, b) => a.name.localeCompare(b.name) || Number(a.version) - Number(b.version));
      return readyOnly ? entries.filter((e) => e.state === 'READY') : entries;
    },

    async loadModel(tenantId, model) {
      await manager.ensure(await resolved.resolve(tenantId, model));
    },

    async unloadModel(tenantId, model) {
      // A model the tenant does not have is a 404, as for every other call naming it.
      if ((await deps.resolver.versions(tenantId, model)).length === 0)
        await resolved.resolve(tenantId, model);
      await manager.unloadModel(tenantId, model);
    },

    async close() {
      closed = true;
      await manager.close();
    },
  };
};
