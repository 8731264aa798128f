// CPU seconds per thread of a process (/proc/<pid>/task), and a segment's CPU split by thread: the main thread
// (the event loop), the `workers` busiest other threads (under an inference load: the onnxruntime workers, whose
// threads all carry the name `node`, so the busiest are taken for them) and the rest (GC helpers, libuv).
import { readdirSync, readFileSync } from 'node:fs';

/** Linux clock ticks per second, the unit of utime and stime in /proc/<pid>/task/<tid>/stat. */
const CLOCK_TICKS_PER_S = 100;

export type ThreadTimes = Map<number, number>;

/** CPU seconds (user + system) of every live thread of `pid`; empty without /proc. */
export const threadTimes = (pid: number): ThreadTimes => {
  const times: ThreadTimes = new Map();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return times;
  }
  for (const tid of tids) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      times.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S);
    } catch {} // the thread ended meanwhile
  }
  return times;
};

export interface ThreadSplit {
  main: number;
  workers: number;
  other: number;
}

/** CPU seconds between two samples, split into the main thread, the `workers` busiest others and the rest. */
export const splitThreads = (
  pid: number,
  before: ThreadTimes,
  after: ThreadTimes,
  workers: number,
): ThreadSplit => {
  const deltas: number[] = [];
  let main = 0;
  for (const [tid, t] of after) {
    const d = t - (before.get(tid) ?? 0);
    if (tid === pid) main = d;
    else deltas.push(d);
  }
  deltas.sort((a, b) => b - a);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { main, workers: sum(deltas.slice(0, workers)), other: sum(deltas.slice(workers)) };
};
