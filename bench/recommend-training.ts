// Recommender training benchmark on the Online Retail events: wall time of each trainer fitting all events
// (what a run publishes) and of a whole offline run (fit before the split, evaluate, refit), next to the time
// to read the events in the same run; and the main thread's worst event-loop stall while ALS trains in its
// worker thread, against ALS trained inline.
import { existsSync } from 'node:fs';
import { readInteractions } from '../packages/cli/src/eval-recommend.ts';
import { COMPARED_KINDS, fit } from '../packages/server/src/modules/training/offline.ts';
import { trainInWorker } from '../packages/server/src/modules/training/runner.ts';
import { offlineRun } from '../packages/server/src/modules/training/trainers.ts';
import { table } from './lib/report.ts';

const FILE = new URL('../../shared/datasets/online-retail/online-retail.csv', import.meta.url).pathname;
const SPLIT = Date.parse('2011-11-01T00:00:00Z');

const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

/** The longest gap between ticks of a 5 ms interval while `work` runs: how long the event loop was stuck. */
const stallWhile = async (work: () => Promise<unknown>) => {
  let last = performance.now();
  let maxStallMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxStallMs = Math.max(maxStallMs, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20)); // let a blocked ticker report its gap
  clearInterval(ticker);
  return { ms, maxStallMs };
};

export const main = async () => {
  if (!existsSync(FILE)) throw new Error(`${FILE} is missing (see ../shared/datasets/README.md)`);
  let started = performance.now();
  const x = await readInteractions(FILE, 'online-retail');
  const readMs = performance.now() - started;
  console.log(
    `recommend training benchmark: Online Retail, ${x.length} item events, ${x.items.length} items, ${x.users.length} users; split 2011-11-01\n`,
  );
  const rows: Record<string, string | number>[] = [
    { step: 'read the CSV into interactions (baseline)', s: seconds(readMs), '× read': 1 },
  ];
  for (const kind of COMPARED_KINDS.filter((k) => k !== 'content')) {
    started = performance.now();
    fit(kind, x, {}, undefined);
    const fitMs = performance.now() - started;
    rows.push({
      step: `${kind}: fit all events`,
      s: seconds(fitMs),
      '× read': Number((fitMs / readMs).toFixed(2)),
    });
    started = performance.now();
    offlineRun(kind, x, {}, SPLIT, undefined);
    const runMs = performance.now() - started;
    rows.push({
      step: `${kind}: offline run (fit split + evaluate + fit all)`,
      s: seconds(runMs),
      '× read': Number((runMs / readMs).toFixed(2)),
    });
  }
  console.log(table(rows));

  const inline = await stallWhile(async () => fit('als', x, {}, undefined));
  // Last: the worker takes the interactions' buffers (transferred, not copied).
  const worker = await stallWhile(() =>
    trainInWorker({ kind: 'als', interactions: x, params: {}, splitTime: SPLIT }, () => {}),
  );
  console.log(`\nmain-thread event-loop stall while ALS trains (offline run in the worker vs fit inline):\n`);
  console.log(
    table([
      {
        where: 'inline on the main thread (baseline)',
        s: seconds(inline.ms),
        'max stall ms': Math.round(inline.maxStallMs),
      },
      {
        where: 'worker thread (how runs train)',
        s: seconds(worker.ms),
        'max stall ms': Math.round(worker.maxStallMs),
      },
    ]),
  );
};
