// A real Quiver on a loopback port serving the built console, with a tenant, a catalog, a model and a
// recommender to look at. Fails loudly when the console is not built.
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { neighbourTable, publishRecommender } from '../../../server/test/modules/recommend/testing.ts';
import { startTestApp, type TestApp } from '../../../server/test/support/app.ts';
import { linearModel } from '../../../server/test/support/onnx/models.ts';
import { STORAGE_KINDS } from '../../../server/test/support/storage.ts';

export const CONSOLE_DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
export const TENANT = 'shop';

const ITEMS = [
  { id: 'speaker-1', title: 'Bluetooth speaker', brand: 'Sonic', categories: ['audio/speakers'] },
  { id: 'speaker-2', title: 'Waterproof speaker', brand: 'Sonic', categories: ['audio/speakers'] },
  { id: 'cable-1', title: 'Speaker cable', brand: 'Wired', categories: ['audio/cables'] },
  { id: 'lamp-1', title: 'Brass table lamp', brand: 'Hearth', categories: ['home/lighting'] },
];

export interface ConsoleServer {
  t: TestApp;
  base: string;
  /** The tenant admin key's secret and its Authorization header. */
  tenantKey: string;
  tenant: Record<string, string>;
  operatorKey: string;
  /** Bytes of a valid second ranker version, for the upload. */
  rankerV2: Buffer;
  close(): Promise<void>;
}

export const startConsoleServer = async (): Promise<ConsoleServer> => {
  if (!existsSync(`${CONSOLE_DIST}index.html`))
    throw new Error(`the console is not built (${CONSOLE_DIST}): run \`npm run build\` first`);
  const t = await startTestApp(STORAGE_KINDS[0], {}, undefined, {
    vectors: null,
    consoleDir: CONSOLE_DIST,
    stats: { flushMs: 250 },
  });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const tenant = await t.tenant(TENANT);
  const call = async (method: 'POST' | 'PUT', url: string, payload: unknown, headers = tenant) => {
    const res = await t.request({ method, url, headers, payload: payload as object });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await call('POST', '/v1/items/batch', { items: ITEMS });
  await call('POST', '/v1/models', { name: 'ranker', task: 'ranking' });
  const v1 = linearModel({ inFeatures: 3, outFeatures: 2, seed: 1 }).bytes;
  const up = await t.request({
    method: 'POST',
    url: '/v1/models/ranker/versions',
    headers: { ...tenant, 'content-type': 'application/octet-stream' },
    payload: v1,
  });
  if (up.statusCode !== 201) throw new Error(`upload v1: ${up.statusCode} ${up.body}`);
  await publishRecommender(t, TENANT, 'cooccurrence', {
    graph: 'neighbours',
    spec: neighbourTable(
      ITEMS.map((i) => i.id),
      {
        'speaker-1': [
          ['cable-1', 0.9],
          ['speaker-2', 0.4],
        ],
        'cable-1': [['speaker-1', 0.9]],
      },
    ),
  });
  return {
    t,
    base,
    tenant,
    tenantKey: tenant.authorization.slice('Bearer '.length),
    operatorKey: t.operator.authorization.slice('Bearer '.length),
    rankerV2: linearModel({ inFeatures: 3, outFeatures: 2, seed: 7 }).bytes,
    close: () => t.close(),
  };
};
