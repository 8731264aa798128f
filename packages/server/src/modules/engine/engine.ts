// The inference engine: a pool of onnxruntime workers plus one dynamic batcher per loaded model version.
import { type Clock, systemClock } from '../../kernel/clock.ts';
import { QuiverError } from '../../kernel/errors.ts';
import { type Batcher, createBatcher } from './batcher.ts';
import { emptyOutputs } from './empty.ts';
import { type InferenceObserver, type ModelLabels, observerOf } from './observer.ts';
import { type BatchingOptions, resolveBatching } from './options.ts';
import { createWorkerPool, type WorkerPool } from './pool.ts';
import type { InferRequest, InferResult, ModelSource, Signature } from './types.ts';
import { isBatchable, validateInputs } from './validate.ts';

export interface EngineDeps {
  /** Deadlines are epoch milliseconds on this clock. */
  clock?: Clock;
  /** Metrics hooks; the ones left out do nothing. */
  observer?: Partial<InferenceObserver>;
  /** Asked before a request is queued; throws to refuse it (a tenant past its compute quota). */
  admit?: (tenant: string) => void;
}

export interface EngineOptions {
  /** Worker threads; default one per core. */
  poolSize?: number;
}

export interface LoadOptions {
  batching?: Partial<BatchingOptions>;
  /** Workers holding a session for this model; default every worker (see README in this folder). */
  replicas?: number;
  /** Labels for metrics; default `{ model: key, version: '' }`. */
  labels?: ModelLabels;
  /**
   * Runs the model on the calling thread instead of the workers (inline.ts): for tiny models, whose worker
   * round trip costs more than their compute. Each request runs at once, alone; `replicas` does not apply.
   */
  inline?: boolean;
}

export interface LoadedModel {
  key: string;
  signature: Signature;
  /** False when some input or output has a fixed dim 0: then every request runs alone. */
  batchable: boolean;
  /** Whether it runs on the calling thread (LoadOptions.inline). */
  inline: boolean;
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

export const createInferenceEngine = (
  deps: EngineDeps = {},
  options: EngineOptions = {},
): InferenceEngine => {
  const clock = deps.clock ?? systemClock;
  const observer = observerOf(deps.observer);
  const admit = deps.admit ?? (() => {});
  const pool: WorkerPool = createWorkerPool({ size: options.poolSize });
  const models = new Map<string, { model: LoadedModel; batcher: Batcher }>();

  const loadInlineModel = async (key: string, source: ModelSource, loadOptions: LoadOptions) => {
    const batching = resolveBatching(loadOptions.batching);
    // Imported on first need: it brings onnxruntime into this thread.
    const { createInlineRunner, loadInline } = await import('./inline.ts');
    const { session, signature } = await loadInline(source);
    const labels = loadOptions.labels ?? { model: key, version: '' };
    const model: LoadedModel = { key, signature, batchable: false, inline: true, batching, labels };
    await models.get(key)?.batcher.drain();
    const batcher = createInlineRunner({ clock, observer, labels }, session, batching);
    models.set(key, { model, batcher });
    return model;
  };

  return {
    poolSize: pool.size,

    async load(key, source, loadOptions = {}) {
      if (loadOptions.inline) return loadInlineModel(key, source, loadOptions);
      const batching = resolveBatching(loadOptions.batching);
      const signature = await pool.load(key, source, { replicas: loadOptions.replicas });
      const labels = loadOptions.labels ?? { model: key, version: '' };
      const model: LoadedModel = {
        key,
        signature,
        batchable: isBatchable(signature),
        inline: false,
        batching,
        labels,
      };
      const batcher = createBatcher(
        {
          run: (feeds) => pool.run(key, feeds),
          concurrency: () => pool.replicas(key),
          clock,
          observer,
          labels,
        },
        { ...batching, batchable: model.batchable },
      );
      models.set(key, { model, batcher });
      return model;
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
      if (!entry.model.inline) await pool.unload(key);
    },

    async close() {
      const batchers = [...models.values()].map((m) => m.batcher);
      for (const batcher of batchers) batcher.abort('the inference engine is shutting down');
      models.clear();
      // Terminating a worker inside session.run() aborts the whole process (a Napi::Error in onnxruntime):
      // let running batches finish first.
      await Promise.all(batchers.map((b) => b.drain()));
      await pool.close();
    },
  };
};
