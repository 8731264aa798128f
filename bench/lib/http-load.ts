// HTTP load for the benchmarks: autocannon POSTing pre-built JSON bodies in turn (or GETting one path).
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Answers counted over the segment (for per-request figures such as server CPU). */
  requests?: number;
}

type Options = { connections: number; durationS: number; headers?: Record<string, string> };

const run = async (port: number, what: string, request: autocannon.Request, options: Options) => {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.durationS,
    requests: [request],
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${what}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
  };
};

export const postLoad = async (
  port: number,
  path: string,
  bodies: readonly string[],
  options: Options,
): Promise<LoadResult> => {
  let n = 0;
  return run(
    port,
    path,
    {
      method: 'POST',
      setupRequest: (req) => ({
        ...req,
        path,
        headers: { ...options.headers, 'content-type': 'application/json' },
        body: bodies[n++ % bodies.length],
      }),
    },
    options,
  );
};

/** The same load of GET requests to one path (a bare baseline route). */
export const getLoad = (port: number, path: string, options: Options): Promise<LoadResult> =>
  run(port, path, { method: 'GET', path, headers: options.headers }, options);

/** Throughput over all segments (total requests ÷ total time; segments are equally long) and mean latencies. */
export const combine = (runs: readonly LoadResult[]): LoadResult => ({
  rps: runs.reduce((s, r) => s + r.rps, 0) / runs.length,
  p50: runs.reduce((s, r) => s + r.p50, 0) / runs.length,
  p99: runs.reduce((s, r) => s + r.p99, 0) / runs.length,
});
