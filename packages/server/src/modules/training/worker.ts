// The training worker thread: one offline run per thread, so ALS on thousands of users never holds up the
// server's event loop. Progress is posted as it goes; the model's arrays are transferred back.
import { parentPort, workerData } from 'node:worker_threads';
import type { TrainReply, TrainRequest } from './protocol.ts';
import { offlineRun } from './trainers.ts';

const PROGRESS_EVERY_MS = 200;

const request = workerData as TrainRequest;
const post = (reply: TrainReply, transfer: ArrayBuffer[] = []) => parentPort?.postMessage(reply, transfer);

let last = 0;
try {
  const run = offlineRun(
    request.kind,
    request.interactions,
    request.params,
    request.splitTime,
    request.vectors,
    (phase, fraction) => {
      const now = Date.now();
      if (now - last < PROGRESS_EVERY_MS && fraction < 1) return;
      last = now;
      post({ type: 'progress', phase, fraction });
    },
  );
  const m = run.fitted.model;
  const buffers =
    m.graph === 'neighbours'
      ? [m.table.neighbours.buffer, m.table.weights.buffer]
      : m.graph === 'factors'
        ? [m.items.buffer, ...(m.projection ? [m.projection.buffer] : [])]
        : [m.scores.buffer];
  post({ type: 'done', run }, [...new Set(buffers)] as ArrayBuffer[]);
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
