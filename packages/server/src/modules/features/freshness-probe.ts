// The freshness benchmark's probe over HTTP (for a server in another process): while a load runs, it sends
// one probe event at a time and polls the online store until the event shows, and it reads the server's own
// freshness histogram before and after; both are summarised as p50/p99.
const DEFAULT_GAP_MS = 50;
const DEFAULT_POLL_MS = 5;
const DEFAULT_PROBE_TIMEOUT_MS = 60_000;
const HISTOGRAM = 'quiver_feature_freshness_seconds_bucket';

export interface ProbeTarget {
  /** e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** A tenant key holding `events:write` and `infer` (or `admin`). */
  key: string;
  /** The operator key, when /metrics needs it (the default); none for a server that opened it. */
  metricsKey?: string;
}

export interface ProbeOptions {
  gapMs?: number;
  pollMs?: number;
  timeoutMs?: number;
}

export interface FreshnessReport {
  /** Probe events measured from their 202 (accepted, durable) to their first visible read, in ms. */
  probes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The server's histogram over the same interval (every event, receivedAt → visible), interpolated. */
  server: { events: number; p50Ms: number; p99Ms: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Cumulative bucket counts by upper bound (seconds) from Prometheus text. */
const buckets = (text: string): Map<number, number> => {
  const out = new Map<number, number>();
  for (const m of text.matchAll(new RegExp(`^${HISTOGRAM}\\{le="([^"]+)"\\} (\\S+)$`, 'gm')))
    out.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  return out;
};

/** histogram_quantile over the difference of two scrapes: linear within the bucket holding the rank. */
export const histogramQuantile = (
  before: string,
  after: string,
  q: number,
): { count: number; ms: number } => {
  const b = buckets(before);
  const rows = [...buckets(after)]
    .map(([le, n]) => [le, n - (b.get(le) ?? 0)] as const)
    .sort((x, y) => x[0] - y[0]);
  const count = rows.length > 0 ? rows[rows.length - 1][1] : 0;
  let lower = 0;
  let below = 0;
  for (const [le, n] of rows) {
    if (n >= q * count && count > 0) {
      if (!Number.isFinite(le)) return { count, ms: lower * 1000 };
      const within = n - below;
      return { count, ms: (lower + (within > 0 ? (le - lower) * ((q * count - below) / within) : 0)) * 1000 };
    }
    lower = le;
    below = n;
  }
  return { count, ms: Number.NaN };
};

export const probeFreshness = async (
  target: ProbeTarget,
  /** The load to measure under; probing stops when it settles (after at least one probe). */
  load: Promise<unknown>,
  options: ProbeOptions = {},
): Promise<FreshnessReport> => {
  const headers = { authorization: `Bearer ${target.key}`, 'content-type': 'application/json' };
  const post = async (path: string, body: object) => {
    const res = await fetch(`${target.baseUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { results?: { statuses: string[] }[] } };
  };
  const scrape = async () => {
    const auth = target.metricsKey ? { authorization: `Bearer ${target.metricsKey}` } : undefined;
    const res = await fetch(`${target.baseUrl}/metrics`, { headers: auth });
    if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
    return res.text();
  };
  let settled = false;
  void load.then(
    () => (settled = true),
    () => (settled = true),
  );
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const before = await scrape();
  const latencies: number[] = [];
  for (let n = 0; n === 0 || !settled; n++) {
    const userId = `freshness-probe-${run}-${n}`;
    const event = {
      id: userId,
      type: 'view',
      userId,
      itemId: 'freshness-probe',
      timestamp: new Date().toISOString(),
    };
    const sent = await post('/v1/events', { events: [event] });
    if (sent.status !== 202)
      throw new Error(`probe event refused: ${sent.status} ${JSON.stringify(sent.body)}`);
    const accepted = performance.now();
    for (;;) {
      const read = await post('/v1/features/online', {
        features: ['user_recent_items:last_seen'],
        entities: { userId: [userId] },
      });
      if (read.status === 200 && read.body.results?.[1]?.statuses[0] === 'PRESENT') break;
      if (performance.now() - accepted > (options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS))
        throw new Error(`probe event ${userId} never became a feature`);
      await sleep(options.pollMs ?? DEFAULT_POLL_MS);
    }
    latencies.push(performance.now() - accepted);
    await sleep(options.gapMs ?? DEFAULT_GAP_MS);
  }
  const after = await scrape();
  const sorted = [...latencies].sort((a, b) => a - b);
  const p50 = histogramQuantile(before, after, 0.5);
  return {
    probes: sorted.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1],
    server: { events: p50.count, p50Ms: p50.ms, p99Ms: histogramQuantile(before, after, 0.99).ms },
  };
};
