// The Quiver app every benchmark server starts: a temp data dir, storage from the environment, quiet logs, a
// `bench` tenant with limits high enough not to interfere, an admin key, and the READY line bench/lib/child.ts reads.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { localArtifactsUrl } from '../../packages/server/src/adapters/blob/index.ts';
import { buildApp, type Config, loadConfig, type QuiverApp } from '../../packages/server/src/index.ts';
import { startTracing } from '../../packages/server/src/tracing/index.ts';

const OPERATOR = 'qo_bench-operator-key-000000000000000';
/** Items per POST /v1/items/batch (the route's limit). */
const BATCH = 1000;
/** How long importItems waits for the keyword index to hold what it imported. */
const SYNC_TIMEOUT_MS = 60_000;
const LIMITS = { tenantPerSecond: 1e9, tenantBurst: 1e9, keyPerSecond: 1e9, keyBurst: 1e9 };

export interface BenchApp {
  app: FastifyInstance;
  /** The whole app (its services), for in-process benchmarks. */
  quiver: QuiverApp;
  dataDir: string;
  /** Authorization header of the bench tenant's admin key. */
  auth: Record<string, string>;
  /** Calls the app in process; throws on any status ≥ 300. */
  call(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ): Promise<{ json(): unknown }>;
  /**
   * Turns the bench tenant's `vectors` setting on (off by default) and waits for its vector index. Call it after
   * the import: the built-in encoder is fitted to the catalog it finds.
   */
  vectorsOn(): Promise<void>;
  /**
   * Imports items into the bench tenant (POST /v1/items/batch, 1,000 a request) and waits until its keyword index
   * holds them all. The index follows the catalog's change feed, so a write is searchable a moment after it is
   * acknowledged (search README, "Index lifecycle and sync"): a benchmark that searched straight after the last
   * batch measured an index still missing some of it (chorus-icecat keyword NDCG@10 0.6252 instead of 0.6339).
   */
  importItems(items: ReadonlyArray<{ id: string }>): Promise<void>;
  /** Listens on a free local port and prints `READY {port, key, ...extra}`; stops on SIGTERM. */
  listen(extra?: Record<string, unknown>): Promise<void>;
}

/** `overrides` replace config read from the environment (e.g. `databaseUrl` for two apps in one process). */
export const startBenchApp = async (overrides: Partial<Config> = {}): Promise<BenchApp> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'quiver-bench-'));
  const config = loadConfig(process.env, {
    dataDir,
    // One server: its own directory is shared enough (a PostgreSQL DATABASE_URL requires naming it).
    artifactsUrl: localArtifactsUrl(dataDir),
    demo: false,
    logLevel: 'warn',
    operatorKey: OPERATOR,
    port: 0,
    host: '127.0.0.1',
    // The freshness probe scrapes /metrics with the tenant key; the bench server listens on 127.0.0.1 only.
    metricsAccess: 'public',
    ...overrides,
  });
  // As main.ts does: OpenTelemetry when OTEL_* asks for it (bench/tracing.ts measures its overhead).
  await startTracing();
  const quiver = await buildApp(config);
  // Measured from a ready replica, as a load balancer would send traffic: the search indexes built.
  await quiver.whenWarm();
  const { app } = quiver;
  const call: BenchApp['call'] = async (method, url, headers, payload) => {
    const res = await app.inject({ method, url, headers, payload: payload as string });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res;
  };
  const operator = { authorization: `Bearer ${OPERATOR}` };
  await call('POST', '/v1/tenants', operator, { id: 'bench', name: 'Bench', limits: LIMITS });
  const key = await call('POST', '/v1/tenants/bench/keys', operator, { name: 'bench', scopes: ['admin'] });
  const secret = (key.json() as { secret: string }).secret;
  const auth = { authorization: `Bearer ${secret}` };
  return {
    app,
    quiver,
    dataDir,
    auth,
    call,
    async vectorsOn() {
      const res = await app.inject({
        method: 'PATCH',
        url: '/v1/tenants/bench/settings',
        headers: operator,
        payload: { vectors: true },
      });
      if (res.statusCode !== 200) throw new Error(`vectors on: ${res.statusCode} ${res.body}`);
      await quiver.vectors.ready('bench');
    },
    async importItems(items) {
      const before = (await quiver.search.status('bench')).items;
      for (let i = 0; i < items.length; i += BATCH)
        await call('POST', '/v1/items/batch', auth, { items: items.slice(i, i + BATCH) });
      const expected = before + new Set(items.map((item) => item.id)).size;
      const started = performance.now();
      for (;;) {
        const { items: indexed } = await quiver.search.status('bench');
        if (indexed >= expected) return;
        if (performance.now() - started > SYNC_TIMEOUT_MS)
          throw new Error(
            `the keyword index holds ${indexed} of ${expected} items after ${SYNC_TIMEOUT_MS} ms`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async listen(extra = {}) {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      console.log(`READY ${JSON.stringify({ ...extra, port, key: secret })}`);
      process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
    },
  };
};
