// Test support for the feature store: the setups every suite runs on, a clock that stands still, seeded
// events published straight to the stream, waiting for the consumer, and cleanup of shared servers.
import { randomBytes } from 'node:crypto';
import type { Scope } from '@quiver/contracts';
import { Redis } from 'ioredis';
import { connect } from 'nats';
import { buildApp, type QuiverApp } from '../../../src/app.ts';
import type { Config } from '../../../src/config/index.ts';
import { HISTORY_CONSUMER_PREFIX } from '../../../src/modules/features/history.ts';
import { waitForFeatures } from '../../../src/modules/features/index.ts';
import { TEST_NATS_URL } from '../../adapters/stream/testing.ts';
import {
  startTestApp,
  TEST_JETSTREAM_STREAM,
  TEST_JETSTREAM_SUBJECTS,
  type TestApp,
} from '../../support/app.ts';
import { STORAGE_KINDS, type StorageKind } from '../../support/storage.ts';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The tests' "now": a fixed instant, so windows never move under an assertion. */
export const NOW = Date.UTC(2024, 4, 20, 12, 34, 56, 789);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** The clock stands still, so token buckets never refill: test keys get limits they cannot exhaust. */
const LIMITS = { tenantPerSecond: 1e6, tenantBurst: 1e9, keyPerSecond: 1e6, keyBurst: 1e9 };

export interface Setup {
  name: string;
  kind: StorageKind;
  overrides(): Partial<Config>;
}

const postgres = STORAGE_KINDS.find((k) => k.name === 'postgres')!;
export const SETUPS: Setup[] = [
  ...STORAGE_KINDS.map((kind) => ({ name: `embedded on ${kind.name}`, kind, overrides: () => ({}) })),
  {
    name: 'NATS + Redis',
    kind: postgres,
    overrides: () => ({
      streamUrl: TEST_NATS_URL,
      redisUrl: TEST_REDIS_URL,
      redisKeyPrefix: `quiver-test:features:${randomBytes(6).toString('hex')}:`,
    }),
  },
];

export interface TestEvent {
  id: string;
  type: string;
  userId: string;
  itemId?: string;
  sessionId?: string;
  value?: number;
  quantity?: number;
  timestamp: string;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely by the tests
export type Answer = { status: number; body: any };

export interface FeaturesApp {
  current(): QuiverApp;
  config: Config;
  operator: Record<string, string>;
  /** A tenant with a run-unique id (the NATS stream outlives runs) and a key with these scopes. */
  tenant(label: string, scopes?: Scope[]): Promise<{ id: string; headers: Record<string, string> }>;
  key(tenantId: string, scopes: Scope[]): Promise<Record<string, string>>;
  post(url: string, headers: Record<string, string>, payload: object): Promise<Answer>;
  send(
    method: 'GET' | 'PUT',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ): Promise<Answer>;
  /** Appends the events to the tenant's topic as the events module does; `keySuffix` makes repeats new messages. */
  publish(tenantId: string, events: readonly TestEvent[], keySuffix?: string): Promise<void>;
  waitApplied(tenantId: string, ids: readonly string[]): Promise<void>;
  /** publish, then waitApplied for those events. */
  publishApplied(tenantId: string, events: readonly TestEvent[]): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const startFeaturesApp = async (setup: Setup, clock = { now: () => NOW }): Promise<FeaturesApp> => {
  const first: TestApp = await startTestApp(setup.kind, setup.overrides(), clock);
  let app: QuiverApp = first;
  const tenants: string[] = [];
  const run = randomBytes(3).toString('hex');
  const inject = (opts: Parameters<TestApp['request']>[0]) => app.app.inject(opts);
  const key = async (tenantId: string, scopes: Scope[]) => {
    const res = await inject({
      method: 'POST',
      url: `/v1/tenants/${tenantId}/keys`,
      headers: first.operator,
      payload: { name: 'test', scopes },
    });
    if (res.statusCode !== 201) throw new Error(`key for ${tenantId}: ${res.body}`);
    return { authorization: `Bearer ${res.json().secret}` };
  };
  const fa: FeaturesApp = {
    current: () => app,
    config: first.config,
    operator: first.operator,
    key,
    async tenant(label, scopes = ['admin']) {
      const id = `${label}-${run}`;
      const res = await inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: first.operator,
        payload: { id, name: id, limits: LIMITS },
      });
      if (res.statusCode !== 201) throw new Error(`tenant ${id}: ${res.body}`);
      tenants.push(id);
      return { id, headers: await key(id, scopes) };
    },
    async post(url, headers, payload) {
      const res = await inject({ method: 'POST', url, headers, payload });
      return { status: res.statusCode, body: res.json() };
    },
    async send(method, url, headers, payload) {
      const res = await inject({ method, url, headers, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.json() };
    },
    async publish(tenantId, events, keySuffix = '') {
      const receivedAt = new Date(clock.now()).toISOString();
      for (let i = 0; i < events.length; i += 40) {
        const part = events
          .slice(i, i + 40)
          .map((e) => ({ key: e.id + keySuffix, data: { ...e, receivedAt } }));
        await app.stream.publish(`events.${tenantId}`, part);
      }
    },
    async waitApplied(tenantId, ids) {
      await waitForFeatures(app.kv, tenantId, ids, 60_000);
    },
    async publishApplied(tenantId, events) {
      await fa.publish(tenantId, events);
      await fa.waitApplied(
        tenantId,
        events.map((e) => e.id),
      );
    },
    async restart() {
      await app.app.close();
      app = await buildApp(first.config, { clock });
      await app.whenWarm();
    },
    async close() {
      const { redisUrl, redisKeyPrefix, streamUrl } = first.config;
      if (app !== first) await app.app.close();
      await first.close();
      if (streamUrl) await forgetOnNats(tenants, app.features.consumerName);
      if (redisUrl) await dropRedisKeys(redisKeyPrefix);
    },
  };
  return fa;
};

/** Removes what a run left on the shared NATS stream: its tenants' events and its consumers. */
const forgetOnNats = async (tenants: readonly string[], consumer: string): Promise<void> => {
  const nc = await connect({ servers: TEST_NATS_URL });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.delete(TEST_JETSTREAM_STREAM, consumer).catch(() => false);
    for (const id of tenants) {
      await jsm.consumers.delete(TEST_JETSTREAM_STREAM, `${HISTORY_CONSUMER_PREFIX}${id}`).catch(() => false);
      // Its events, and the catalog changes its items made.
      await jsm.streams.purge(TEST_JETSTREAM_STREAM, { filter: `${TEST_JETSTREAM_SUBJECTS}.*.${id}` });
    }
  } finally {
    await nc.close();
  }
};

export const dropRedisKeys = async (prefix: string): Promise<void> => {
  const raw = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await raw.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await raw.quit();
  }
};

/** A small deterministic generator (mulberry32), so a failing case can be replayed. */
export const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

/** Shuffles in place with the given generator (publication order is not event-time order). */
export const shuffle = <T>(items: T[], next: () => number): T[] => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
};
