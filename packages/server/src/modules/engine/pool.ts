// A pool of inference worker threads: places model replicas on workers and sends each run to the least busy one.
import { availableParallelism } from 'node:os';
import { QuiverError } from '../../kernel/errors.ts';
import { ownBuffers, transferListOf } from './tensors.ts';
import type { ModelSource, Signature, Tensors } from './types.ts';
import { spawnWorker, type WorkerHandle } from './worker-handle.ts';

/** One worker per core: each runs onnxruntime on one thread. */
export const DEFAULT_POOL_SIZE = availableParallelism();

export interface WorkerPoolOptions {
  /** Worker threads; default one per core. */
  size?: number;
}

export interface PoolLoadOptions {
  /** Workers that hold a session for the model (clamped to 1..size); default every worker. */
  replicas?: number;
}

export interface RunResult {
  outputs: Tensors;
  /** Time inside `session.run()` in the worker, in milliseconds. */
  computeMs: number;
  /** When that run started, epoch milliseconds, and the worker it ran on (for its span). */
  startedAt: number;
  worker: number;
  /**
   * The worker thread's own time for the batch, epoch milliseconds: the message taken (after waiting for
   * the thread behind earlier batches) → inputs built, run, outputs copied and the reply ready.
   */
  receivedAt: number;
  finishedAt: number;
}

export interface WorkerPool {
  readonly size: number;
  load(key: string, source: ModelSource, options?: PoolLoadOptions): Promise<Signature>;
  /**
   * Runs a loaded model. Numeric inputs that span their whole ArrayBuffer are transferred to the worker and
   * so become detached for the caller; views into larger buffers are copied. Outputs arrive without a copy.
   */
  run(key: string, feeds: Tensors): Promise<RunResult>;
  unload(key: string): Promise<void>;
  /** Live workers holding the model: how many batches of it can run at once. */
  replicas(key: string): number;
  close(): Promise<void>;
}

interface Placement {
  /** Kept so a restarted worker can load its models again. */
  source: ModelSource;
  slots: Set<number>;
  ready: boolean;
}

/**
 * The model's bytes in shared memory, copied once: posting them to each worker then copies nothing on the main
 * thread (a structured clone of an 84 MiB artifact blocked the event loop for over a second per worker). Each
 * worker copies them into its own memory off the main thread (worker.ts).
 */
const sharedBytes = (s: ModelSource): ModelSource => {
  if (typeof s === 'string' || s.buffer instanceof SharedArrayBuffer) return s;
  const shared = new Uint8Array(new SharedArrayBuffer(s.byteLength));
  shared.set(s);
  return shared;
};

export const createWorkerPool = (options: WorkerPoolOptions = {}): WorkerPool => {
  const size = Math.max(1, Math.floor(options.size ?? DEFAULT_POOL_SIZE));
  const placements = new Map<string, Placement>();
  let closed = false;

  const restart = (dead: WorkerHandle) => {
    for (const key of dead.models) placements.get(key)?.slots.delete(dead.slot);
    // A worker that never came online (a broken install) would fail again at once: leave the slot empty.
    if (closed || !dead.started) return;
    const fresh = spawnWorker(dead.slot, restart);
    workers[dead.slot] = fresh;
    for (const key of dead.models) {
      const p = placements.get(key);
      if (!p) continue;
      fresh.call({ op: 'load', key, source: p.source }).then(
        () => {
          if (placements.get(key) !== p) return void fresh.call({ op: 'unload', key }).catch(() => {});
          fresh.models.add(key);
          p.slots.add(fresh.slot);
        },
        () => {},
      );
    }
  };

  const workers: WorkerHandle[] = Array.from({ length: size }, (_, slot) => spawnWorker(slot, restart));

  const live = (p: Placement) => [...p.slots].map((s) => workers[s]).filter((w) => w.alive);

  return {
    size,

    async load(key, source, loadOptions = {}) {
      if (closed) throw new QuiverError('unavailable', 'the inference pool is closed');
      if (placements.has(key)) throw new QuiverError('already_exists', `model '${key}' is already loaded`);
      const placement: Placement = { source: sharedBytes(source), slots: new Set(), ready: false };
      placements.set(key, placement);
      const replicas = Math.min(size, Math.max(1, Math.floor(loadOptions.replicas ?? size)));
      // Spread: the workers holding the fewest models take the new one.
      const chosen = workers
        .filter((w) => w.alive)
        .sort((a, b) => a.models.size - b.models.size || a.slot - b.slot)
        .slice(0, replicas);
      const results = await Promise.allSettled(
        chosen.map((w) => w.call({ op: 'load', key, source: placement.source })),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed || chosen.length === 0 || placements.get(key) !== placement) {
        if (placements.get(key) === placement) placements.delete(key);
        await Promise.allSettled(chosen.map((w) => w.call({ op: 'unload', key })));
        if (failed) throw failed.reason;
        throw new QuiverError('unavailable', `model '${key}' could not be placed on any worker`);
      }
      for (const w of chosen) {
        w.models.add(key);
        placement.slots.add(w.slot);
      }
      placement.ready = true;
      return (results[0] as PromiseFulfilledResult<{ signature?: Signature }>).value.signature!;
    },

    async run(key, feeds) {
      const p = placements.get(key);
      if (!p?.ready) throw new QuiverError('not_found', `model '${key}' is not loaded`);
      const candidates = live(p);
      if (candidates.length === 0)
        throw new QuiverError('unavailable', `no live worker holds model '${key}'`);
      const worker = candidates.reduce((best, w) => (w.inflight < best.inflight ? w : best));
      const owned = ownBuffers(feeds);
      const reply = await worker.call({ op: 'run', key, feeds: owned }, transferListOf(owned));
      const computeMs = reply.computeMs ?? 0;
      const startedAt = reply.startedAt ?? Date.now() - computeMs;
      return {
        outputs: reply.outputs ?? {},
        computeMs,
        startedAt,
        worker: worker.slot,
        receivedAt: reply.receivedAt ?? startedAt,
        finishedAt: reply.finishedAt ?? startedAt + computeMs,
      };
    },

    async unload(key) {
      const p = placements.get(key);
      if (!p) return;
      placements.delete(key);
      const holders = workers.filter((w) => w.models.delete(key));
      await Promise.allSettled(holders.map((w) => w.call({ op: 'unload', key })));
    },

    replicas(key) {
      const p = placements.get(key);
      return p?.ready ? live(p).length : 0;
    },

    async close() {
      if (closed) return;
      closed = true;
      placements.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
};
