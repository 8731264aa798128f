// Quiver serving models for the inference benchmark: a temp SQLite app, a tenant with high limits, and the
// models named in BENCH_MODELS (JSON [{name, path, metadata}]) uploaded through the registry, loaded and warm.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadConfig } from '../../packages/server/src/index.ts';

const OPERATOR = 'qo_bench-operator-key-000000000000000';
const LIMITS = { tenantPerSecond: 1e9, tenantBurst: 1e9, keyPerSecond: 1e9, keyBurst: 1e9 };
const models = JSON.parse(process.env.BENCH_MODELS ?? '[]') as {
  name: string;
  path: string;
  metadata?: object;
}[];

const dataDir = mkdtempSync(join(tmpdir(), 'quiver-bench-'));
const config = loadConfig(process.env, {
  dataDir,
  demo: false,
  logLevel: 'warn',
  operatorKey: OPERATOR,
  port: 0,
  host: '127.0.0.1',
});
const { app } = await buildApp(config);
const call = async (
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) => {
  const res = await app.inject({ method, url, headers, payload: payload as string });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
};
const operator = { authorization: `Bearer ${OPERATOR}` };
await call('POST', '/v1/tenants', operator, { id: 'bench', name: 'Bench', limits: LIMITS });
const key = await call('POST', '/v1/tenants/bench/keys', operator, { name: 'bench', scopes: ['admin'] });
const secret = key.json().secret as string;
const auth = { authorization: `Bearer ${secret}` };
for (const m of models) {
  await call('POST', '/v1/models', auth, { name: m.name });
  await call(
    'POST',
    `/v1/models/${m.name}/versions`,
    {
      ...auth,
      'content-type': 'application/octet-stream',
      'quiver-model-metadata': JSON.stringify(m.metadata ?? {}),
    },
    readFileSync(m.path),
  );
  // Load and warm up before any client arrives.
  for (;;) {
    const ready = await app.inject({ method: 'GET', url: `/v2/models/${m.name}/ready`, headers: auth });
    if (ready.statusCode === 200) break;
    if (ready.statusCode !== 503) throw new Error(`${m.name} ready: ${ready.statusCode} ${ready.body}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(
  `READY ${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, key: secret })}`,
);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
