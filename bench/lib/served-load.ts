// One load segment against a child server with what it cost the server: CPU µs per request for the whole
// process (every thread: event loop, inference workers, GC, libuv) and for its main thread alone, and, for
// a model served by Quiver, the mean batch size the batcher reached (from its Prometheus histogram).
import { type ChildServer, processCpuSeconds } from './child.ts';
import type { LoadResult } from './http-load.ts';
import { splitThreads, threadTimes } from './thread-cpu.ts';

export interface ServedResult extends LoadResult {
  /** Server CPU per request, all threads, µs. */
  cpuUs: number;
  /** The main thread's part of it, µs. */
  mainUs: number;
  /** Mean rows per batch run over the segment (undefined when not asked for). */
  batch?: number;
  /** CPU µs per request of the `workers` busiest other threads (the inference workers) and of the rest. */
  workerUs: number;
  otherUs: number;
  /** CPU µs per request of the load generator: this process's main thread, where autocannon runs. */
  clientUs: number;
}

const sample = (text: string, name: string, model: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`model="${model}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

/** Rows and batches run so far for `model`, from the text of a Quiver /metrics answer. */
export const batchTotalsOf = (text: string, model: string) => ({
  rows: sample(text, 'quiver_inference_batch_size_sum', model),
  batches: sample(text, 'quiver_inference_batch_size_count', model),
});

/** Rows and batches run so far for `model`, read from the server's /metrics. */
const batchTotals = async (port: number, model: string) =>
  batchTotalsOf(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), model);

/**
 * Runs `load` and measures the server around it; `model` names the served model whose batch sizes to report.
 * /metrics is read outside the CPU window, so the scrape does not count as the load's CPU.
 */
export const measureServed = async (
  server: ChildServer<{ port: number }>,
  load: () => Promise<LoadResult>,
  model?: string,
  workers = 0,
): Promise<ServedResult> => {
  const before = model === undefined ? undefined : await batchTotals(server.info.port, model);
  const pid = server.child.pid ?? 0;
  const [cpu0, main0, threads0] = [server.cpuSeconds(), server.mainCpuSeconds(), threadTimes(pid)];
  const client0 = processCpuSeconds(process.pid, process.pid);
  const result = await load();
  const client1 = processCpuSeconds(process.pid, process.pid);
  const [cpu1, main1, threads1] = [server.cpuSeconds(), server.mainCpuSeconds(), threadTimes(pid)];
  const split = splitThreads(pid, threads0, threads1, workers);
  const after = model === undefined ? undefined : await batchTotals(server.info.port, model);
  const n = result.requests ?? Number.NaN;
  return {
    ...result,
    cpuUs: ((cpu1 - cpu0) * 1e6) / n,
    mainUs: ((main1 - main0) * 1e6) / n,
    workerUs: (split.workers * 1e6) / n,
    otherUs: (split.other * 1e6) / n,
    clientUs: ((client1 - client0) * 1e6) / n,
    batch: before && after ? (after.rows - before.rows) / (after.batches - before.batches) : undefined,
  };
};
