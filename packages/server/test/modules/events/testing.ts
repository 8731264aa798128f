// Test support for the events suites: the setups they run on (SQL log on SQLite and PostgreSQL, JetStream on
// the real NATS server) and an app that can be restarted on the same database and stream.
import { randomBytes } from 'node:crypto';
import type { Scope } from '@quiver/contracts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { connect } from 'nats';
import { buildApp, type QuiverApp } from '../../../src/app.ts';
import type { Config } from '../../../src/config/index.ts';
import { REPLAY_CONSUMER_PREFIX } from '../../../src/modules/events/replay.ts';
import { eventsTopic } from '../../../src/modules/events/topic.ts';
import { TEST_NATS_URL } from '../../adapters/stream/testing.ts';
import {
  bearer,
  startTestApp,
  TEST_JETSTREAM_STREAM,
  TEST_JETSTREAM_SUBJECTS,
  type TestApp,
} from '../../support/app.ts';
import { STORAGE_KINDS, type StorageKind } from '../../support/storage.ts';

export interface EventsSetup {
  name: string;
  kind: StorageKind;
  overrides: Partial<Config>;
}

const postgres = STORAGE_KINDS.find((k) => k.name === 'postgres')!;

export const EVENT_SETUPS: EventsSetup[] = [
  ...STORAGE_KINDS.map((kind) => ({ name: `SQL log on ${kind.name}`, kind, overrides: {} })),
  { name: 'NATS JetStream with postgres', kind: postgres, overrides: { streamUrl: TEST_NATS_URL } },
];

export interface EventsApp {
  /** The app currently running (changes on restart). */
  current(): QuiverApp;
  request(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** The operator's Authorization header. */
  operator: Record<string, string>;
  /** Makes a tenant with a run-unique id (the NATS stream outlives test runs); returns its id and headers. */
  tenant(prefix: string, scopes?: Scope[]): Promise<{ id: string; headers: Record<string, string> }>;
  /** Closes the app and builds a new one on the same database and stream. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export const startEventsApp = async (setup: EventsSetup): Promise<EventsApp> => {
  const first: TestApp = await startTestApp(setup.kind, setup.overrides);
  let app: QuiverApp = first;
  const tenants: string[] = [];
  const run = randomBytes(4).toString('hex');
  const inject = (opts: InjectOptions) => app.app.inject(opts);
  return {
    current: () => app,
    request: inject,
    operator: first.operator,
    async tenant(prefix, scopes = ['admin']) {
      const id = `${prefix}-${run}`;
      const created = await inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: first.operator,
        payload: { id, name: id },
      });
      if (created.statusCode !== 201) throw new Error(`tenant ${id}: ${created.body}`);
      tenants.push(id);
      return { id, headers: await keyFor(inject, first.operator, id, scopes) };
    },
    async restart() {
      await app.app.close();
      app = await buildApp(first.config);
      await app.whenWarm();
    },
    async close() {
      if (app !== first) await app.app.close();
      await first.close();
      if (setup.overrides.streamUrl) await forgetOnNats(tenants);
    },
  };
};

/** A further key for an existing tenant. */
export const keyFor = async (
  inject: EventsApp['request'],
  operator: Record<string, string>,
  tenantId: string,
  scopes: Scope[],
): Promise<Record<string, string>> => {
  const key = await inject({
    method: 'POST',
    url: `/v1/tenants/${tenantId}/keys`,
    headers: operator,
    payload: { name: 'test', scopes },
  });
  if (key.statusCode !== 201) throw new Error(`key for ${tenantId}: ${key.body}`);
  return bearer(key.json().secret);
};

/** Removes what the tests left on the shared NATS stream: the tenants' events and replay consumers. */
const forgetOnNats = async (tenants: readonly string[]): Promise<void> => {
  const nc = await connect({ servers: TEST_NATS_URL });
  try {
    const jsm = await nc.jetstreamManager();
    for (const id of tenants) {
      await jsm.consumers.delete(TEST_JETSTREAM_STREAM, `${REPLAY_CONSUMER_PREFIX}${id}`).catch(() => false);
      await jsm.streams.purge(TEST_JETSTREAM_STREAM, {
        filter: `${TEST_JETSTREAM_SUBJECTS}.${eventsTopic(id)}`,
      });
    }
  } finally {
    await nc.close();
  }
};

/** A valid event of `type` with an id; extra fields override. */
export const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'view',
  userId: 'u-1',
  itemId: 'SKU-1',
  timestamp: '2024-05-01T10:00:00.000Z',
  ...extra,
});

/** Reads every event of a tenant through GET /v1/events, a page at a time. */
export const replayAll = async (
  app: EventsApp,
  headers: Record<string, string>,
  limit = 1000,
): Promise<{ position: number; event: Record<string, unknown> }[]> => {
  const out: { position: number; event: Record<string, unknown> }[] = [];
  let after = 0;
  for (;;) {
    const res = await app.request({
      method: 'GET',
      url: `/v1/events?after=${after}&limit=${limit}`,
      headers,
    });
    if (res.statusCode !== 200) throw new Error(`replay: ${res.statusCode} ${res.body}`);
    const page = res.json();
    if (page.events.length === 0) return out;
    out.push(...page.events);
    after = page.lastPosition;
  }
};

/** An event stamped now, so it falls inside every feature window. */
export const freshEvent = (id: string, userId: string) =>
  event(id, { userId, timestamp: new Date().toISOString() });

export const postEvents = (t: TestApp, headers: Record<string, string>, events: unknown[]) =>
  t.request({ method: 'POST', url: '/v1/events', headers, payload: { events } });

/** `PRESENT` once the feature consumer applied an event of the user's; `status <code>` when the read fails. */
export const recentItemsStatus = async (
  t: TestApp,
  headers: Record<string, string>,
  userId: string,
): Promise<string> => {
  const res = await t.request({
    method: 'POST',
    url: '/v1/features/online',
    headers,
    payload: { features: ['user_recent_items:items'], entities: { userId: [userId] } },
  });
  return res.statusCode === 200 ? res.json().results[1].statuses[0] : `status ${res.statusCode}`;
};
