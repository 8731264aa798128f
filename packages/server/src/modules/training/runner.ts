// Runs one offline training run (a recommender's, or the search ranker's fit) in its own worker thread and
// resolves with its result.
import { Worker } from 'node:worker_threads';
import { QuiverError, siblingModule, workerExecArgv, workerSource } from '../../kernel/index.ts';
import type { RankerRun } from './ltr.ts';
import type { RankerRequest, TrainReply, TrainRequest } from './protocol.ts';
import type { OfflineRun } from './trainers.ts';

const WORKER_URL = siblingModule('worker', import.meta.url);

/** The interactions' own buffers, moved to the worker instead of copied (the caller's arrays are detached). */
const buffersOf = (request: TrainRequest): ArrayBuffer[] => {
  const x = request.interactions;
  const arrays = [x.item, x.user, x.basket, x.time, x.weight, x.purchase];
  const whole = arrays.every((a) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength);
  return whole ? [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))] : [];
};

/** Why a run ended early: the signal was aborted (the server is shutting down). */
export class TrainingInterrupted extends Error {
  constructor() {
    super('training was interrupted');
    this.name = 'TrainingInterrupted';
  }
}

/** One worker thread running `data` (a TrainRequest or a RankerRequest), with `transfer` moved to it. */
const inWorker = <R>(
  data: TrainRequest | RankerRequest,
  transfer: ArrayBuffer[],
  onProgress: (phase: string, fraction: number) => void,
  signal?: AbortSignal,
): Promise<R> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new TrainingInterrupted());
      return;
    }
    const worker = new Worker(workerSource(WORKER_URL), {
      eval: true,
      execArgv: workerExecArgv(),
      workerData: data,
      transferList: transfer,
    });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', interrupt);
      fn();
      void worker.terminate();
    };
    const interrupt = () => settle(() => reject(new TrainingInterrupted()));
    signal?.addEventListener('abort', interrupt, { once: true });
    worker.on('message', (reply: TrainReply<R>) => {
      if (reply.type === 'progress') onProgress(reply.phase, reply.fraction);
      else if (reply.type === 'done') settle(() => resolve(reply.run));
      else settle(() => reject(new QuiverError('unprocessable', `training failed: ${reply.message}`)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the training worker exited (code ${code}) before answering`))),
    );
  });

/**
 * Trains in a new worker thread. The request's interaction arrays are transferred: do not use them after.
 * Aborting `signal` terminates the worker at once (the math is synchronous there, so this is the only
 * point between its iterations where it can stop) and rejects with TrainingInterrupted.
 */
export const trainInWorker = (
  request: TrainRequest,
  onProgress: (phase: string, fraction: number) => void,
  signal?: AbortSignal,
): Promise<OfflineRun> => inWorker(request, buffersOf(request), onProgress, signal);

/** The search ranker's offline run in a new worker thread (its queries are copied); `signal` as above. */
export const fitRankerInWorker = (
  request: RankerRequest,
  onProgress: (phase: string, fraction: number) => void,
  signal?: AbortSignal,
): Promise<RankerRun> => inWorker(request, [], onProgress, signal);
