// A Quiver app for tests: real storage, no socket (inject), a known operator key and helpers to make tenants.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scope } from '@quiver/contracts';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { localArtifactsUrl } from '../../src/adapters/blob/index.ts';
import { type AppOptions, buildApp, type QuiverApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config/index.ts';
import type { Clock } from '../../src/kernel/index.ts';
import type { StorageKind } from './storage.ts';

export const TEST_OPERATOR_KEY = 'qo_test-operator-key-0123456789abcdef';
/**
 * Tests on NATS use their own JetStream stream, apart from the `QUIVER` stream a server or benchmark on the
 * same NATS uses, and its messages expire: a new consumer replays only recent test traffic.
 */
export const TEST_JETSTREAM_STREAM = 'QUIVER_TEST';
export const TEST_JETSTREAM_SUBJECTS = 'quivertest';
const TEST_JETSTREAM_MAX_AGE_S = 900;
export const TEST_JETSTREAM_QUERY = `stream=${TEST_JETSTREAM_STREAM}&subjects=${TEST_JETSTREAM_SUBJECTS}&maxAgeS=${TEST_JETSTREAM_MAX_AGE_S}`;

const testStreamUrl = (url: string | undefined): string | undefined =>
  url && /^(nats|tls):\/\//.test(url) && !url.includes('?') ? `${url}?${TEST_JETSTREAM_QUERY}` : url;

export interface TestApp extends QuiverApp {
  config: Config;
  operator: Record<string, string>;
  /** Creates a tenant and a key with the given scopes; returns the Authorization header for it. */
  tenant(id: string, scopes?: Scope[], limits?: Config['defaultLimits']): Promise<Record<string, string>>;
  /** Turns the tenant's `vectors` setting on (its index starts building) through the API. */
  vectorsOn(id: string): Promise<void>;
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

export const startTestApp = async (
  kind: StorageKind,
  overrides: Partial<Config> = {},
  clock?: Clock,
  appOptions: Omit<AppOptions, 'clock'> = {},
): Promise<TestApp> => {
  const storage = await kind.create();
  const dataDir = mkdtempSync(join(tmpdir(), 'quiver-data-'));
  const config = loadConfig(
    {},
    {
      databaseUrl: storage.url,
      dataDir,
      demo: false,
      logLevel: 'silent',
      operatorKey: TEST_OPERATOR_KEY,
      // A PostgreSQL database needs a named blob store: the data directory's, as by default.
      ...(/^postgres/.test(overrides.databaseUrl ?? storage.url)
        ? { artifactsUrl: localArtifactsUrl(overrides.dataDir ?? dataDir) }
        : {}),
      ...overrides,
      ...(overrides.streamUrl ? { streamUrl: testStreamUrl(overrides.streamUrl) } : {}),
    },
  );
  const quiver = await buildApp(config, { ...appOptions, clock });
  // Tests start from a ready replica: the tenants' search indexes built (/readyz answers 200).
  await quiver.whenWarm();
  const app: FastifyInstance = quiver.app;
  const operator = bearer(TEST_OPERATOR_KEY);
  return {
    ...quiver,
    config,
    operator,
    request: (opts) => app.inject(opts),
    async tenant(id, scopes = ['admin'], limits) {
      const created = await app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: operator,
        payload: { id, name: `Tenant ${id}`, ...(limits ? { limits } : {}) },
      });
      if (created.statusCode !== 201) throw new Error(`tenant ${id}: ${created.statusCode} ${created.body}`);
      const key = await app.inject({
        method: 'POST',
        url: `/v1/tenants/${id}/keys`,
        headers: operator,
        payload: { name: 'test', scopes },
      });
      if (key.statusCode !== 201) throw new Error(`key for ${id}: ${key.statusCode} ${key.body}`);
      return bearer(key.json().secret);
    },
    async vectorsOn(id) {
      const res = await app.inject({
        method: 'PATCH',
        url: `/v1/tenants/${id}/settings`,
        headers: operator,
        payload: { vectors: true },
      });
      if (res.statusCode !== 200) throw new Error(`vectors on for ${id}: ${res.statusCode} ${res.body}`);
    },
    async close() {
      await app.close();
      await storage.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
