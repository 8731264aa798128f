// Timed HTTP load against a benchmark server (autocannon at N connections, each request made by `next`) with
// the server's CPU per request, and medians over interleaved rounds.
import autocannon from 'autocannon';
import type { ChildServer } from './child.ts';

export interface Run {
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number;
  /** Requests with no answer within autocannon's 10 s timeout (or a socket error). */
  errors: number;
}

export interface NextRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export const loadServer = async (
  server: ChildServer<{ port: number }>,
  next: () => NextRequest,
  options: { connections: number; durationS: number },
): Promise<Run> => {
  const cpuBefore = server.cpuSeconds();
  const result = await autocannon({
    url: `http://127.0.0.1:${server.info.port}`,
    connections: options.connections,
    duration: options.durationS,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} non-2xx answers`);
  const cpuUs = ((server.cpuSeconds() - cpuBefore) * 1e6) / result.requests.total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs,
    errors: result.errors,
  };
};

export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const medianRun = (runs: readonly Run[]): Run => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  cpuUs: median(runs.map((r) => r.cpuUs)),
  errors: runs.reduce((n, r) => n + r.errors, 0),
});

/** A table row for a run, with throughput as a ratio to the same-run baseline. */
export const runRow = (name: string, r: Run, baseline: Run) => ({
  run: name,
  'req/s': r.rps,
  '÷ bare': r.rps / baseline.rps,
  'p50 ms': r.p50,
  'p99 ms': r.p99,
  'CPU µs/req': r.cpuUs,
  'timeouts/errors': r.errors,
});
