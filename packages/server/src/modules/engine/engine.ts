// The inference engine: a pool of onnxruntime workers plus one dynamic batcher per loaded model version.
import { type Clock, systemClock } from '../../kernel/clock.ts';
import { QuiverError } from '../../kernel/errors.ts';
import { type Batcher, createBatcher } from './batcher.ts';
import { emptyOutputs } from './empty.ts';
import { type InferenceObserver, type ModelLabels, observerOf } from './observer.ts';
import { type BatchingOptions, resolveBatching } from './options.ts';
import {
  DEFAULT_INLINE_POLICY,
  type Execution,
  type InlinePolicy,
  measureBatchUs,
  probeRows,
  sourceBytes,
  zeroInputs,
} from './placement.ts';
import { createWorkerPool, type RunResult, type WorkerPool } from './pool.ts';
import type { InferRequest, InferResult, ModelSource, Signature, Tensors } from './types.ts';
import { isBatchable, validateInputs } from './validate.ts';

export interface EngineDeps {
  /** Deadlines are epoch milliseconds on this clock. */
  clock?: Clock;
  /** Metrics hooks; the ones left out do nothing. */
  observer?: Partial<InferenceObserver>;
  /** Asked before a request is queued; throws to refuse it (a tenant past its compute quota). */
  admit?: (tenant: string) => void;
  /**
   * Measures one full batch of a model just loaded in the workers, in microseconds (placement.ts); default
   * the median of a few runs of zeros in a worker. Tests inject a figure.
   */
  measureBatchUs?: (key: string, run: () => Promise<number>) => Promise<number>;
}

export interface EngineOptions {
  /** Worker threads; default one per core. */
  poolSize?: number;
  /** Which models run on the calling thread when their load does not say (placement.ts). */
  inline?: Partial<InlinePolicy>;
}

export interface LoadOptions {
  batching?: Partial<BatchingOptions>;
  /** Workers holding a session for this model; default every worker (see README in this folder). */
  replicas?: number;
  /** Labels for metrics; default `{ model: key, version: '' }`. */
  labels?: ModelLabels;
  /**
   * Where the model runs: `inline` on the calling thread (inline.ts), `workers` in the pool; default chosen by
   * its size and a full batch's compute measured in a worker at load (placement.ts, EngineOptions.inline).
   * `replicas` does not apply inline.
   */
  execution?: Execution;
}

export interface LoadedModel {
  key: string;
  signature: Signature;
  /** False when some input or output has a fixed dim 0: then every request runs alone. */
  batchable: boolean;
  /** Where it runs (LoadOptions.execution). */
  execution: Execution;
  /** One full batch's compute measured at load, microseconds, when the engine chose the execution. */
  measuredBatchUs?: number;
  batching: Readonly<BatchingOptions>;
  labels: ModelLabels;
}

export interface InferenceEngine {
  readonly poolSize: number;
  /** Loads the artifact in the workers and returns its signature; `unprocessable` when it does not load. */
  load(key: string, source: ModelSource, options?: LoadOptions): Promise<LoadedModel>;
  get(key: string): LoadedModel | undefined;
  /**
   * Validates, queues, batches and runs; `not_found` for a model not loaded. Inputs with zero rows answer at
   * once, without a batch: empty outputs shaped from the signature, or `validation_failed` (see empty.ts).
   */
  infer(key: string, request: InferRequest): Promise<InferResult>;
  /** Refuses new requests, lets accepted ones finish, then frees the sessions. */
  unload(key: string): Promise<void>;
  /** Rejects queued requests, lets running batches finish, and stops the workers. */
  close(): Promise<void>;
}

/** Where a loaded model's batches run, and how its sessions are freed. */
interface Runtime {
  execution: Execution;
  signature: Signature;
  run(feeds: Tensors): Promise<RunResult>;
  /** Batches that may run at once. */
  concurrency(): number;
  release(): Promise<void>;
}

interface Entry {
  model: LoadedModel;
  batcher: Batcher;
  /** Frees the model's sessions once its batcher has drained. */
  release(): Promise<void>;
}

export const createInferenceEngine = (
  deps: EngineDeps = {},
  options: EngineOptions = {},
): InferenceEngine => {
  const clock = deps.clock ?? systemClock;
  const observer = observerOf(deps.observer);
  const admit = deps.admit ?? (() => {});
  const pool: WorkerPool = createWorkerPool({ size: options.poolSize });
  const policy: InlinePolicy = { ...DEFAULT_INLINE_POLICY, ...options.inline };
  const measure = deps.measureBatchUs ?? ((_key: string, run: () => Promise<number>) => run());
  const models = new Map<string, Entry>();
  /** Keys being loaded: a second load of one fails as a second load of a loaded key does. */
  const loading = new Set<string>();

  /** A session on this thread; its batches run one at a time (each blocks the thread while it runs). */
  const loadInlineRuntime = async (source: ModelSource): Promise<Runtime> => {
    // Imported on first need: it brings onnxruntime into this thread.
    const { loadInline, runInline } = await import('./inline.ts');
    const { session, signature } = await loadInline(source);
    return {
      execution: 'inline',
      signature,
      run: (feeds) => runInline(session, feeds),
      concurrency: () => 1,
      release: () => session.release(),
    };
  };

  const workersRuntime = (key: string, signature: Signature): Runtime => ({
    execution: 'workers',
    signature,
    run: (feeds) => pool.run(key, feeds),
    concurrency: () => pool.replicas(key),
    release: () => pool.unload(key),
  });

  /** One full batch of zeros, measured in a worker; undefined when zeros do not run there (then: workers). */
  const probe = (key: string, signature: Signature, batching: BatchingOptions) => {
    const rows = probeRows(isBatchable(signature), batching.maxBatchSize);
    const feeds = () => zeroInputs(signature, rows);
    const run = () => measureBatchUs((f) => pool.run(key, f), feeds);
    return measure(key, run).catch(() => undefined);
  };

  /** Loads where the options or the measure say (placement.ts), with the measured figure when measured. */
  const place = async (
    key: string,
    source: ModelSource,
    loadOptions: LoadOptions,
    batching: BatchingOptions,
  ): Promise<{ runtime: Runtime; us?: number }> => {
    const forced = loadOptions.execution;
    // Even when asked for, a large artifact never runs on the serving thread (a tenant's metadata may ask).
    const small = forced !== 'workers' && (await sourceBytes(source)) <= policy.maxBytes;
    if (forced === 'inline' && small) return { runtime: await loadInlineRuntime(source) };
    const signature = await pool.load(key, source, { replicas: loadOptions.replicas });
    const measured = small && forced === undefined && policy.maxBatchUs > 0;
    const us = measured ? await probe(key, signature, batching) : undefined;
    if (us === undefined || us > policy.maxBatchUs) return { runtime: workersRuntime(key, signature), us };
    return { runtime: await loadInlineRuntime(source).finally(() => pool.unload(key)), us };
  };

  return {
    poolSize: pool.size,

    async load(key, source, loadOptions = {}) {
      const batching = resolveBatching(loadOptions.batching);
      if (models.has(key) || loading.has(key))
        throw new QuiverError('already_exists', `model '${key}' is already loaded`);
      loading.add(key);
      try {
        const { runtime, us } = await place(key, source, loadOptions, batching);
        const { execution, signature } = runtime;
        const labels = loadOptions.labels ?? { model: key, version: '' };
        const batchable = isBatchable(signature);
        const model: LoadedModel = {
          key,
          signature,
          batchable,
          execution,
          measuredBatchUs: us,
          batching,
          labels,
        };
        const batcher = createBatcher(
          { run: runtime.run, concurrency: runtime.concurrency, clock, observer, labels },
          { ...batching, batchable },
        );
        models.set(key, { model, batcher, release: runtime.release });
        return model;
      } finally {
        loading.delete(key);
      }
    },

    get(key) {
      return models.get(key)?.model;
    },

    async infer(key, request) {
      const entry = models.get(key);
      if (!entry) throw new QuiverError('not_found', `model '${key}' is not loaded`);
      validateInputs(entry.model.signature, request.inputs);
      admit(request.tenant);
      // Zero rows never reach the batcher: the answer is known from the signature (or refused).
      const empty = emptyOutputs(entry.model.signature, request.inputs);
      if (empty) return { outputs: empty, queueMs: 0, computeMs: 0, batchRows: 0 };
      return entry.batcher.infer(request);
    },

    async unload(key) {
      const entry = models.get(key);
      if (!entry) return;
      models.delete(key);
      await entry.batcher.drain();
      await entry.release();
    },

    async close() {
      const entries = [...models.values()];
      for (const { batcher } of entries) batcher.abort('the inference engine is shutting down');
      models.clear();
      // Terminating a worker inside session.run() aborts the whole process (a Napi::Error in onnxruntime):
      // let running batches finish first.
      await Promise.all(entries.map((e) => e.batcher.drain()));
      await Promise.all(entries.filter((e) => e.model.execution === 'inline').map((e) => e.release()));
      await pool.close();
    },
  };
};
