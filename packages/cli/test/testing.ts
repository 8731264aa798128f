// Test helpers: a real Quiver listening on a port, slices of real dataset files, and the CLI as a process.
import { type ChildProcess, spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Scope } from '@quiver/contracts';
import { startTestApp, type TestApp } from '../../server/test/support/app.ts';
import { STORAGE_KINDS } from '../../server/test/support/storage.ts';

export { ONLINE_RETAIL, ONLINE_RETAIL_LINE_2 } from './datasets.ts';
/** What an independent reader (Python's csv module) finds in the first 5,000 lines (4,999 rows). */
export const HEAD_5000 = { rows: 4999, events: 4997, skipped: 2, items: 1595 };
const BIN = resolve(import.meta.dirname, '../bin/quiver.js');

export interface Server {
  app: TestApp;
  url: string;
  dir: string;
  /** A tenant and its raw API key. */
  tenant(id: string, scopes?: Scope[], limits?: Parameters<TestApp['tenant']>[2]): Promise<string>;
  close(): Promise<void>;
}

/** A real app on embedded storage (the CLI only speaks HTTP, so one storage kind suffices), on a free port. */
export const startServer = async (): Promise<Server> => {
  const app = await startTestApp(STORAGE_KINDS[0]);
  const url = await app.app.listen({ port: 0, host: '127.0.0.1' });
  const dir = mkdtempSync(join(tmpdir(), 'quiver-cli-'));
  return {
    app,
    url,
    dir,
    async tenant(id, scopes = ['catalog:read', 'catalog:write', 'events:write'], limits) {
      const headers = await app.tenant(id, scopes, limits);
      return headers.authorization.replace(/^Bearer /, '');
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** Copies the first `lines` lines of a file (header included) to `to`. */
export const headOf = async (file: string, lines: number, to: string): Promise<string> => {
  const out: string[] = [];
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    out.push(line);
    if (out.length === lines) break;
  }
  writeFileSync(to, `${out.join('\n')}\n`);
  return to;
};

export interface StoredEvent {
  id: string;
  type: string;
  [field: string]: unknown;
}

/** Every event the tenant's log holds, read back through GET /v1/events. */
export const storedEvents = async (app: TestApp, key: string): Promise<StoredEvent[]> => {
  const all: StoredEvent[] = [];
  for (let after = 0; ; ) {
    const res = await app.request({
      method: 'GET',
      url: `/v1/events?after=${after}&limit=1000`,
      headers: { authorization: `Bearer ${key}` },
    });
    if (res.statusCode !== 200) throw new Error(`GET /v1/events: ${res.statusCode} ${res.body}`);
    const page = res.json() as { events: { event: StoredEvent }[]; lastPosition: number };
    all.push(...page.events.map((e) => e.event));
    if (page.events.length === 0) return all;
    after = page.lastPosition;
  }
};

/** Every item id of the tenant's catalog. */
export const itemIds = async (app: TestApp, key: string): Promise<string[]> => {
  const ids: string[] = [];
  for (let cursor = ''; ; ) {
    const res = await app.request({
      method: 'GET',
      url: `/v1/items?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers: { authorization: `Bearer ${key}` },
    });
    if (res.statusCode !== 200) throw new Error(`GET /v1/items: ${res.statusCode} ${res.body}`);
    const page = res.json() as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((i) => i.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
};

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process ends. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Runs `quiver <args>` through its bin shim, as a user would, with no inherited QUIVER_* settings. */
export const runCli = (args: string[], options: { cwd: string; env?: Record<string, string> }): CliRun => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('QUIVER_')));
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<Awaited<CliRun['done']>>((resolveDone) =>
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr })),
  );
  return { child, done };
};
