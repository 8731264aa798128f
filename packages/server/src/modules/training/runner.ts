// Runs one offline training run in its own worker thread and resolves with its result.
import { Worker } from 'node:worker_threads';
import { QuiverError, workerSource } from '../../kernel/index.ts';
import type { TrainReply, TrainRequest } from './protocol.ts';
import type { OfflineRun } from './trainers.ts';

const WORKER_URL = new URL('./worker.ts', import.meta.url);

export const trainInWorker = (
  request: TrainRequest,
  onProgress: (phase: string, fraction: number) => void,
): Promise<OfflineRun> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(workerSource(WORKER_URL), { eval: true, execArgv: [], workerData: request });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (reply: TrainReply) => {
      if (reply.type === 'progress') onProgress(reply.phase, reply.fraction);
      else if (reply.type === 'done') settle(() => resolve(reply.run));
      else settle(() => reject(new QuiverError('unprocessable', `training failed: ${reply.message}`)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the training worker exited (code ${code}) before answering`))),
    );
  });
