// The raw onnxruntime ceiling of a model: the engine's worker pool in this process, fed whole batches by
// enough callers to keep every worker busy, with no HTTP, JSON or batching in the way.
import {
  createInferenceEngine,
  type InferenceEngine,
} from '../../packages/server/src/modules/engine/index.ts';
import { randomFloats } from '../../packages/server/test/support/onnx/index.ts';
import { splitThreads, threadTimes } from './thread-cpu.ts';

export interface RawEngine {
  /** Rows/s over `durationMs` at `batch` rows per call, two callers per worker. */
  run(batch: number, durationMs: number): Promise<number>;
  /** The same, with this process's CPU µs per row: its main thread (the callers) and the worker threads. */
  measure(batch: number, durationMs: number): Promise<{ rowsPerS: number; mainUs: number; workerUs: number }>;
  close(): Promise<void>;
}

export const openRawEngine = async (
  bytes: Uint8Array,
  width: number,
  workers: number,
): Promise<RawEngine> => {
  const engine: InferenceEngine = createInferenceEngine({}, { poolSize: workers });
  // maxBatchSize 1: each call runs as sent, never merged with another.
  await engine.load('raw', bytes, { batching: { maxBatchSize: 1, maxQueueSize: 1_000_000 } });
  const input = randomFloats(1024 * width, 11);
  let rowsRun = 0;
  const run = async (batch: number, durationMs: number) => {
    let rows = 0;
    const end = performance.now() + durationMs;
    const caller = async () => {
      while (performance.now() < end) {
        // A copy per call: the engine moves a lone request's buffer to the worker.
        const data = input.slice(0, batch * width);
        const x = { datatype: 'FP32' as const, shape: [batch, width], data };
        await engine.infer('raw', { tenant: 'bench', inputs: { x } });
        rows += batch;
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: workers * 2 }, caller));
    rowsRun = rows;
    return rows / ((performance.now() - started) / 1000);
  };
  return {
    run,
    async measure(batch, durationMs) {
      const before = threadTimes(process.pid);
      const rowsPerS = await run(batch, durationMs);
      const split = splitThreads(process.pid, before, threadTimes(process.pid), workers);
      return { rowsPerS, mainUs: (split.main * 1e6) / rowsRun, workerUs: (split.workers * 1e6) / rowsRun };
    },
    close: () => engine.close(),
  };
};
