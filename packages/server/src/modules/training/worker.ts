// The training worker thread: one offline run per thread, so ALS on thousands of users (or a search ranker's
// coordinate ascent) never holds up the server's event loop. Progress is posted as it goes; the model's
// arrays are transferred back.
import { parentPort, workerData } from 'node:worker_threads';
import { rankerOfflineRun } from './ltr.ts';
import { treeRankerOfflineRun } from './ltr-trees.ts';
import type { RankerRequest, TrainReply, TrainRequest } from './protocol.ts';
import { type OfflineRun, offlineRun } from './trainers.ts';

const PROGRESS_EVERY_MS = 200;

const request = workerData as TrainRequest | RankerRequest;
const post = (reply: TrainReply<unknown>, transfer: ArrayBuffer[] = []) =>
  parentPort?.postMessage(reply, transfer);

let last = 0;
const progress = (phase: string, fraction: number) => {
  const now = Date.now();
  if (now - last < PROGRESS_EVERY_MS && fraction < 1) return;
  last = now;
  post({ type: 'progress', phase, fraction });
};

const buffersOf = (run: OfflineRun): ArrayBuffer[] => {
  const m = run.fitted.model;
  const buffers =
    m.graph === 'neighbours'
      ? [m.table.neighbours.buffer, m.table.weights.buffer]
      : m.graph === 'factors'
        ? [m.items.buffer, ...(m.projection ? [m.projection.buffer] : [])]
        : m.graph === 'userknn'
          ? [
              m.tables.itemUsers.neighbours,
              m.tables.itemUsers.weights,
              m.tables.userItems.neighbours,
              m.tables.userItems.weights,
            ].map((a) => a.buffer)
          : [m.scores.buffer];
  return [...new Set(buffers)] as ArrayBuffer[];
};

try {
  if (request.kind === 'search-ranker') {
    const fit = request.model === 'trees' ? treeRankerOfflineRun : rankerOfflineRun;
    post({ type: 'done', run: fit(request.train, request.test, request.current, progress) });
  } else {
    const run = offlineRun(
      request.kind,
      request.interactions,
      request.params,
      request.splitTime,
      request.vectors,
      progress,
    );
    post({ type: 'done', run }, buffersOf(run));
  }
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
