// One inference worker thread as the main thread sees it: numbered requests, replies matched by id.
import { Worker } from 'node:worker_threads';
import { QuiverError } from '../../kernel/errors.ts';
import { siblingModule, workerExecArgv, workerSource } from '../../kernel/worker-source.ts';
import { failureErrorOf, type WorkerReply, type WorkerRequest } from './protocol.ts';

const WORKER_URL = siblingModule('worker', import.meta.url);

export type Success = Extract<WorkerReply, { ok: true }>;
type Call = {
  [K in WorkerRequest['op']]: Omit<Extract<WorkerRequest, { op: K }>, 'id'>;
}[WorkerRequest['op']];

export interface WorkerHandle {
  readonly slot: number;
  /** Requests sent and not yet answered. */
  readonly inflight: number;
  /** Keys of the models loaded in this worker. */
  readonly models: Set<string>;
  /** True once the thread ran; a worker that never came online is not restarted. */
  readonly started: boolean;
  readonly alive: boolean;
  call(msg: Call, transfer?: ArrayBuffer[]): Promise<Success>;
  /**
   * Stops the thread once the requests in flight are answered (or after `graceMs`): a worker terminated
   * inside an onnxruntime call can abort the whole process with a Napi::Error (seen at shutdown while a model
   * was being loaded, validated or run).
   */
  terminate(graceMs?: number): Promise<void>;
}

/** How long terminate() waits for the requests in flight by default. */
export const TERMINATE_GRACE_MS = 10_000;

const failureError = (reply: Extract<WorkerReply, { ok: false }>): QuiverError =>
  failureErrorOf(reply.failure, reply.message);

/** Starts a worker; `onExit` is told when its thread ends for any reason other than `terminate()`. */
export const spawnWorker = (
  slot: number,
  onExit: (handle: WorkerHandle, error: Error) => void,
): WorkerHandle => {
  const worker = new Worker(workerSource(WORKER_URL), { eval: true, execArgv: workerExecArgv() });
  const pending = new Map<number, { resolve: (r: Success) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let alive = true;
  let started = false;
  let stopping = false;
  let lastError: Error | undefined;
  let idle: (() => void) | undefined;

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const handle: WorkerHandle = {
    slot,
    models: new Set(),
    get inflight() {
      return pending.size;
    },
    get started() {
      return started;
    },
    get alive() {
      return alive;
    },
    call(msg, transfer = []) {
      if (!alive)
        return Promise.reject(new QuiverError('unavailable', `inference worker ${slot} is not running`));
      const id = nextId++;
      return new Promise<Success>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        try {
          worker.postMessage({ ...msg, id }, transfer);
        } catch (e) {
          pending.delete(id);
          reject(
            new QuiverError('internal', 'could not send a request to an inference worker', { cause: e }),
          );
        }
      });
    },
    async terminate(graceMs = TERMINATE_GRACE_MS) {
      stopping = true;
      if (alive && pending.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => {
            idle = resolve;
          }),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, graceMs);
          }),
        ]);
        clearTimeout(timer);
      }
      await worker.terminate();
    },
  };

  worker.on('online', () => {
    started = true;
  });
  worker.on('message', (reply: WorkerReply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if (reply.ok) p.resolve(reply);
    else p.reject(failureError(reply));
    if (pending.size === 0) idle?.();
  });
  worker.on('error', (e) => {
    lastError = e;
  });
  worker.on('exit', (code) => {
    alive = false;
    const why = lastError?.message ?? `exit code ${code}`;
    failAll(
      new QuiverError('unavailable', `inference worker ${slot} stopped (${why})`, { cause: lastError }),
    );
    if (!stopping) onExit(handle, lastError ?? new Error(why));
  });
  return handle;
};
