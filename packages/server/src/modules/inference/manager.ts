// Loads model versions on first use (one load shared by concurrent callers), warms them up, and evicts the
// least recently used when their estimated memory passes the budget; eviction lets accepted requests finish.
import { isQuiverError, type ModuleLog, QuiverError, withSpan } from '../../kernel/index.ts';
import type {
  BatchingOptions,
  InferenceEngine,
  InferRequest,
  InferResult,
  LoadedModel,
} from '../engine/index.ts';
import type { ModelResolver, ModelVersion, VersionMetadata } from '../registry/index.ts';
import { engineLabels, type InferenceMetrics, type ServedLabels } from './metrics.ts';
import { warmUp } from './warmup.ts';

export const DEFAULT_MEMORY_BUDGET_BYTES = 2 * 1024 ** 3;
/**
 * Memory of one onnxruntime session per artifact byte: the weights, plus the pre-packed copy onnxruntime
 * makes of MatMul/Gemm weights, plus activations and arena slack, come to about twice the artifact.
 */
export const SESSION_MEMORY_FACTOR = 2;
/** Tries at running on a version that evictions keep taking away between its load and the request. */
const MAX_ATTEMPTS = 5;

/** Engine keys name tenant, model and version (tenant ids and model names hold no `/` or `@`). */
export const engineKey = (v: Pick<ModelVersion, 'tenantId' | 'model' | 'version'>): string =>
  `${v.tenantId}/${v.model}@${v.version}`;

/** Estimated bytes of a version loaded on `replicas` workers: each session, plus the copy the pool keeps. */
export const estimateBytes = (artifactBytes: number, replicas: number): number =>
  artifactBytes * (replicas * SESSION_MEMORY_FACTOR + 1);

export const servedLabels = (v: ModelVersion): ServedLabels => ({
  tenant: v.tenantId,
  model: v.model,
  version: String(v.version),
});

const batchingOf = (m: VersionMetadata): Partial<BatchingOptions> => ({
  maxBatchSize: m.batching?.maxBatchSize,
  maxQueueDelayMs: m.batching?.maxQueueDelayMs,
  maxQueueSize: m.batching?.maxQueueSize,
  defaultTimeoutMs: m.batching?.timeoutMs,
});

/** A load's error, keeping its code (and Retry-After) with a message that names the version. */
const loadFailure = (version: ModelVersion, what: string, error: unknown): QuiverError => {
  const why = error instanceof Error ? error.message : String(error);
  return new QuiverError(
    isQuiverError(error) ? error.code : 'internal',
    `version ${version.version} of '${version.model}' ${what}: ${why}`,
    { cause: error, retryAfterS: isQuiverError(error) ? error.retryAfterS : undefined },
  );
};

interface Entry {
  key: string;
  labels: ServedLabels;
  bytes: number;
  state: 'loading' | 'ready';
  /** LRU tick of the last use. */
  used: number;
  ready: Promise<void>;
}

export interface ManagerDeps {
  engine: InferenceEngine;
  resolver: Pick<ModelResolver, 'artifact'>;
  metrics: InferenceMetrics;
  log?: Pick<ModuleLog, 'warn'>;
  /** Told when a version starts unloading (to drop what is kept for it, such as its response cache). */
  onUnload?(key: string): void;
}

export interface ManagerOptions {
  /** Estimated bytes of loaded versions before the least recently used go; a larger version loads alone. */
  memoryBudgetBytes?: number;
}

export interface ModelManager {
  /** Runs a request on `version`, loading it first when needed. */
  infer(version: ModelVersion, request: InferRequest): Promise<InferResult>;
  /** Loads and warms up `version` unless it is loaded; resolves once it is ready. */
  ensure(version: ModelVersion): Promise<void>;
  isReady(version: ModelVersion): boolean;
  /** Loaded (READY) and loading (LOADING) versions of a tenant, for the repository index. */
  loaded(tenantId: string): { model: string; version: string; state: 'READY' | 'LOADING' }[];
  /**
   * Unloads a tenant's model: every loaded version (a loading one once its load ends); requests already
   * accepted finish. Resolves when they are out, with how many were unloaded.
   */
  unloadModel(tenantId: string, model: string): Promise<number>;
  /** Estimated bytes held: loaded and loading versions, and those still unloading. */
  readonly usedBytes: number;
  close(): Promise<void>;
}

export const createModelManager = (deps: ManagerDeps, options: ManagerOptions = {}): ModelManager => {
  const { engine, metrics } = deps;
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const entries = new Map<string, Entry>();
  const unloading = new Map<string, Promise<void>>();
  let unloadingBytes = 0;
  let tick = 0;
  let closed = false;

  const usedBytes = () => unloadingBytes + [...entries.values()].reduce((n, e) => n + e.bytes, 0);

  const unload = (e: Entry, evicted: boolean): Promise<void> => {
    entries.delete(e.key);
    unloadingBytes += e.bytes;
    deps.onUnload?.(e.key);
    const done = engine
      .unload(e.key)
      .catch((error) => deps.log?.warn({ err: error, model: e.key }, 'unloading a model failed'))
      .finally(() => {
        unloadingBytes -= e.bytes;
        if (unloading.get(e.key) === done) unloading.delete(e.key);
        metrics.unloaded(e.labels, evicted);
      });
    unloading.set(e.key, done);
    return done;
  };

  /** Evicts ready versions, least recently used first, then waits while unloads still hold the memory. */
  const makeRoom = async (e: Entry) => {
    const idle = [...entries.values()].filter((x) => x !== e && x.state === 'ready');
    idle.sort((a, b) => a.used - b.used);
    let used = usedBytes();
    for (const victim of idle) {
      if (used <= budget) break;
      used -= victim.bytes;
      void unload(victim, true);
    }
    if (usedBytes() > budget) await Promise.all(unloading.values());
  };

  const load = (version: ModelVersion, key: string): Entry => {
    const labels = servedLabels(version);
    const bytes = estimateBytes(version.size, engine.poolSize);
    const e: Entry = { key, labels, bytes, state: 'loading', used: ++tick, ready: Promise.resolve() };
    entries.set(key, e);
    const attributes = { 'quiver.model': version.model, 'quiver.model.version': String(version.version) };
    e.ready = withSpan('inference.load', attributes, async () => {
      await unloading.get(key); // the same version, evicted earlier, may still be draining
      await makeRoom(e);
      if (closed) throw new QuiverError('unavailable', 'the inference service is shutting down');
      const started = performance.now();
      let model: LoadedModel;
      try {
        const artifact = await deps.resolver.artifact(version);
        model = await engine.load(key, artifact, {
          batching: batchingOf(version.metadata),
          labels: engineLabels(labels),
          execution: version.metadata.execution,
        });
      } catch (error) {
        throw loadFailure(version, 'failed to load', error);
      }
      try {
        await warmUp(engine, model, version);
      } catch (error) {
        await engine.unload(key);
        throw loadFailure(version, 'failed its warm-up', error);
      }
      e.state = 'ready';
      metrics.loaded(labels, (performance.now() - started) / 1000, bytes);
    });
    e.ready.catch(() => {
      if (entries.get(key) === e) entries.delete(key);
    });
    return e;
  };

  const acquire = (version: ModelVersion): Entry => {
    const key = engineKey(version);
    const e = entries.get(key) ?? load(version, key);
    e.used = ++tick;
    return e;
  };

  return {
    async infer(version, request) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const e = acquire(version);
        await e.ready;
        // Checked and submitted in one turn: once the engine accepted it, an eviction lets it finish.
        if (entries.get(e.key) === e) return engine.infer(e.key, request);
      }
      throw new QuiverError('unavailable', `model '${version.model}' is being evicted and reloaded; retry`);
    },

    async ensure(version) {
      await acquire(version).ready;
    },

    isReady(version) {
      return entries.get(engineKey(version))?.state === 'ready';
    },

    loaded(tenantId) {
      return [...entries.values()]
        .filter((e) => e.labels.tenant === tenantId)
        .map((e) => ({
          model: e.labels.model,
          version: e.labels.version,
          state: e.state === 'ready' ? ('READY' as const) : ('LOADING' as const),
        }));
    },

    async unloadModel(tenantId, model) {
      const mine = [...entries.values()].filter(
        (e) => e.labels.tenant === tenantId && e.labels.model === model,
      );
      const done = await Promise.all(
        mine.map(async (e) => {
          await e.ready.catch(() => {});
          if (entries.get(e.key) !== e) return false;
          await unload(e, false);
          return true;
        }),
      );
      return done.filter(Boolean).length;
    },

    get usedBytes() {
      return usedBytes();
    },

    async close() {
      closed = true;
      const ready = [...entries.values()].filter((e) => e.state === 'ready');
      await Promise.all(ready.map((e) => unload(e, false)));
    },
  };
};
