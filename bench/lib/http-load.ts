// HTTP load for the inference benchmark: autocannon POSTing pre-built JSON bodies in turn.
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

export const postLoad = async (
  port: number,
  path: string,
  bodies: readonly string[],
  options: { connections: number; durationS: number; headers?: Record<string, string> },
): Promise<LoadResult> => {
  let n = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.durationS,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          path,
          headers: { ...options.headers, 'content-type': 'application/json' },
          body: bodies[n++ % bodies.length],
        }),
      },
    ],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
};

/** Throughput over all segments (total requests ÷ total time; segments are equally long) and mean latencies. */
export const combine = (runs: readonly LoadResult[]): LoadResult => ({
  rps: runs.reduce((s, r) => s + r.rps, 0) / runs.length,
  p50: runs.reduce((s, r) => s + r.p50, 0) / runs.length,
  p99: runs.reduce((s, r) => s + r.p99, 0) / runs.length,
});
