// Nothing lost or doubled after a crash: a batch in flight during kill -9 lands exactly once when retried on a
// new process, whether the process died before the batch committed or right after.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { localArtifactsUrl } from '../../../src/adapters/blob/index.ts';
import { TEST_OPERATOR_KEY } from '../../support/app.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const CHILD = new URL('./crash-child.ts', import.meta.url).pathname;
const BATCH = { items: Array.from({ length: 1000 }, (_, i) => ({ id: `sku-${i}`, title: `Item ${i}` })) };

interface Server {
  child: ChildProcess;
  port: number;
  key: string;
  lines: string[];
}

const startServer = async (env: Record<string, string>): Promise<Server> => {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      QUIVER_DEMO: 'false',
      QUIVER_OPERATOR_KEY: TEST_OPERATOR_KEY,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (d) => {
    buffered += d;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  for (let i = 0; i < 600; i++) {
    const ready = lines.find((l) => l.startsWith('{'));
    if (ready) return { child, lines, ...(JSON.parse(ready) as { port: number; key: string }) };
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
};

const killHard = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
};

const postBatch = (server: Server) =>
  fetch(`http://127.0.0.1:${server.port}/v1/items/batch`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.key}`,
      'content-type': 'application/json',
      'idempotency-key': 'import-after-crash',
    },
    body: JSON.stringify(BATCH),
  });

/** Retries on a new process until the key is no longer in progress; the answer must be the batch's first one. */
const retryUntilAnswered = async (server: Server) => {
  let answer = await postBatch(server);
  const deadline = Date.now() + 20_000;
  while (answer.status === 409 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    answer = await postBatch(server);
  }
  const body = (await answer.json()) as { created: number; updated: number; code?: string };
  assert.equal(answer.status, 200, JSON.stringify(body));
  assert.deepEqual([body.created, body.updated], [BATCH.items.length, 0], 'the first answer');
  const replay = await postBatch(server);
  assert.equal(replay.status, 200);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
};

/** Each item written exactly once: one change per item in the feed, every item at version 1. */
const assertWrittenOnce = async (server: Server) => {
  const headers = { authorization: `Bearer ${server.key}` };
  const changes = await fetch(`http://127.0.0.1:${server.port}/v1/changes?after=0&limit=1000`, { headers });
  const feed = (await changes.json()) as { changes: { version: number }[]; lastSeq: number };
  const more = await fetch(`http://127.0.0.1:${server.port}/v1/changes?after=${feed.lastSeq}`, { headers });
  assert.equal(
    feed.changes.length + ((await more.json()) as { changes: [] }).changes.length,
    BATCH.items.length,
  );
  assert.ok(feed.changes.every((c) => c.version === 1));
  const items = await fetch(`http://127.0.0.1:${server.port}/v1/items?limit=1000`, { headers });
  const page = (await items.json()) as { items: { version: number }[] };
  assert.equal(page.items.length, BATCH.items.length);
  assert.ok(
    page.items.every((i) => i.version === 1),
    'every item at version 1',
  );
};

for (const kind of STORAGE_KINDS) {
  describe(`idempotency after kill -9 (${kind.name})`, () => {
    let servers: Server[] = [];
    let env: Record<string, string> = {};
    let cleanup = async () => {};
    beforeEach(async () => {
      const storage = await kind.create();
      const dataDir = mkdtempSync(join(tmpdir(), 'quiver-crash-'));
      env = {
        DATABASE_URL: storage.url,
        QUIVER_DATA_DIR: dataDir,
        ARTIFACTS_URL: localArtifactsUrl(dataDir),
      };
      servers = [];
      cleanup = async () => {
        await storage.cleanup();
        rmSync(dataDir, { recursive: true, force: true });
      };
    });
    afterEach(async () => {
      for (const s of servers) await killHard(s.child);
      await cleanup();
    });
    const start = async (extra: Record<string, string>) => {
      const server = await startServer({ ...env, ...extra });
      servers.push(server);
      return server;
    };

    test('a claim whose owner died expires; the retry takes it over and the batch lands exactly once', async () => {
      const first = await start({ QUIVER_TEST_HOLD: '1' });
      const inFlight = postBatch(first).catch(() => undefined);
      while (!first.lines.includes('HOLDING')) await new Promise((r) => setTimeout(r, 20));
      // The owner is alive and renews its lease: a retry meanwhile is told to wait, well past one lease.
      await new Promise((r) => setTimeout(r, 2500));
      const early = await postBatch(first);
      assert.equal(early.status, 409);
      assert.equal(((await early.json()) as { code: string }).code, 'idempotency_in_progress');
      await killHard(first.child);
      await inFlight;
      const second = await start({ QUIVER_TEST_KEY: first.key });
      await retryUntilAnswered(second);
      await assertWrittenOnce(second);
    });

    test('killed right after the batch committed, before answering: the retry replays the answer, no second write', async () => {
      const first = await start({ QUIVER_TEST_CRASH_AFTER_COMMIT: '1' });
      const exited = new Promise((resolve) => first.child.once('exit', (_, signal) => resolve(signal)));
      const lost = await postBatch(first).then(
        (r) => r.status,
        () => 'no answer',
      );
      assert.equal(lost, 'no answer');
      assert.equal(await exited, 'SIGKILL');
      const second = await start({ QUIVER_TEST_KEY: first.key });
      await retryUntilAnswered(second);
      await assertWrittenOnce(second);
    });
  });
}
