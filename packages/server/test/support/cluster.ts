// A Quiver cluster of real processes for tests: replicas (`main.ts serve|worker|all`) on their own ports over
// the machine's PostgreSQL, Redis and NATS, with a throwaway database, key prefix, stream and artifacts dir.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { createTempPgDatabase, type TempDatabase } from './postgres.ts';
import { freePort, watchProcess } from './private-process.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
export const CLUSTER_OPERATOR_KEY = 'qo_cluster-test-operator-key-0123456789';
const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** How long a replica may take to turn ready on a loaded machine: a guard against hanging, not a bound. */
const READY_GUARD_MS = 120_000;

export interface Replica {
  readonly name: string;
  readonly role: 'all' | 'serve' | 'worker';
  readonly url: string;
  readonly proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code or the signal's name. */
  readonly exited: Promise<number | string | null>;
}

export interface Cluster {
  readonly env: Record<string, string>;
  readonly replicas: Replica[];
  start(name: string, role: Replica['role'], extraEnv?: Record<string, string>): Promise<Replica>;
  close(): Promise<void>;
}

/** Polls `/readyz` until 200; fails when the process exits first. */
export const waitReady = async (replica: Replica, guardMs = READY_GUARD_MS): Promise<void> => {
  const until = Date.now() + guardMs;
  while (Date.now() < until) {
    if (replica.proc.exitCode !== null || replica.proc.signalCode !== null)
      throw new Error(`${replica.name} exited before it was ready:\n${replica.output().slice(-3000)}`);
    try {
      if ((await fetch(`${replica.url}/readyz`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${replica.name} was not ready within ${guardMs} ms:\n${replica.output().slice(-3000)}`);
};

export const startCluster = async (): Promise<Cluster> => {
  const id = randomBytes(5).toString('hex');
  const db: TempDatabase = await createTempPgDatabase();
  const shared = mkdtempSync(join(tmpdir(), 'quiver-cluster-'));
  const streamName = `QUIVER_CLUSTER_${id}`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL,
    QUIVER_REDIS_PREFIX: `quiver-cluster-${id}:`,
    STREAM_URL: `${NATS_URL}?stream=${streamName}&subjects=quivercluster${id}&maxAgeS=900`,
    ARTIFACTS_URL: `file://${join(shared, 'artifacts')}`,
    QUIVER_OPERATOR_KEY: CLUSTER_OPERATOR_KEY,
    QUIVER_DEMO: 'false',
    QUIVER_INFERENCE_WORKERS: '1',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? 'warn',
  };
  const replicas: Replica[] = [];
  return {
    env,
    replicas,
    async start(name, role, extraEnv = {}) {
      const port = await freePort();
      const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, role], {
        env: {
          ...process.env,
          ...env,
          PORT: String(port),
          QUIVER_DATA_DIR: join(shared, `data-${name}`),
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const { exited, output } = watchProcess(proc);
      const replica: Replica = {
        name,
        role,
        url: `http://127.0.0.1:${port}`,
        proc,
        exited,
        output,
      };
      replicas.push(replica);
      await waitReady(replica);
      return replica;
    },
    async close() {
      for (const r of replicas)
        if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
      await Promise.all(replicas.map((r) => r.exited));
      const nc = await connect({ servers: NATS_URL });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(streamName).catch(() => false);
      await nc.close();
      await db.drop();
      rmSync(shared, { recursive: true, force: true });
    },
  };
};

/** JSON over HTTP with a bearer key; the answer's status, body and headers. */
export const call = async (
  base: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely by the tests
): Promise<{ status: number; body: any; headers: Headers }> => {
  const binary = Buffer.isBuffer(body);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined
        ? {}
        : { 'content-type': binary ? 'application/octet-stream' : 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : binary ? (body as Buffer) : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed, headers: res.headers };
};

/** Polls `check` until it returns true; a guard against hanging (propagation), not a speed assertion. */
export const eventually = async (what: string, check: () => Promise<boolean>, guardMs = 30_000) => {
  const until = Date.now() + guardMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`${what}: not seen within ${guardMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
