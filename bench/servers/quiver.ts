// Quiver as the benchmarks run it: real storage (DATABASE_URL or a temp SQLite), a tenant with high limits.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadConfig } from '../../packages/server/src/index.ts';
import { demoCatalog } from '../../packages/server/src/modules/demo/index.ts';

const OPERATOR = 'qo_bench-operator-key-000000000000000';
const LIMITS = { tenantPerSecond: 1e9, tenantBurst: 1e9, keyPerSecond: 1e9, keyBurst: 1e9 };

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
const operator = { authorization: `Bearer ${OPERATOR}` };
await app.inject({
  method: 'POST',
  url: '/v1/tenants',
  headers: operator,
  payload: { id: 'bench', name: 'Bench', limits: LIMITS },
});
const key = await app.inject({
  method: 'POST',
  url: '/v1/tenants/bench/keys',
  headers: operator,
  payload: { name: 'bench', scopes: ['admin'] },
});
const secret = key.json().secret as string;
await app.inject({
  method: 'POST',
  url: '/v1/items/batch',
  headers: { authorization: `Bearer ${secret}` },
  payload: { items: demoCatalog() },
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(
  `READY ${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0, key: secret })}`,
);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
