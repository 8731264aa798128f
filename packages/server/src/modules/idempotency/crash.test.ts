// Nothing lost after a crash: a batch in flight during kill -9 lands exactly once when retried on a new process.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { localArtifactsUrl } from '../../adapters/blob/index.ts';
import { TEST_OPERATOR_KEY } from '../../testing/app.ts';
import { STORAGE_KINDS } from '../../testing/storage.ts';

const CHILD = new URL('./crash-child.ts', import.meta.url).pathname;
const BATCH = { items: Array.from({ length: 20 }, (_, i) => ({ id: `sku-${i}`, title: `Item ${i}` })) };

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

for (const kind of STORAGE_KINDS) {
  describe(`idempotency after kill -9 (${kind.name})`, () => {
    test('a claim whose owner died expires; the retry takes it over and the batch lands exactly once', async () => {
      const storage = await kind.create();
      const dataDir = mkdtempSync(join(tmpdir(), 'quiver-crash-'));
      const env = {
        DATABASE_URL: storage.url,
        QUIVER_DATA_DIR: dataDir,
        ARTIFACTS_URL: localArtifactsUrl(dataDir),
      };
      const servers: Server[] = [];
      try {
        const first = await startServer({ ...env, QUIVER_TEST_HOLD: '1' });
        servers.push(first);
        const inFlight = postBatch(first).catch(() => undefined);
        while (!first.lines.includes('HOLDING')) await new Promise((r) => setTimeout(r, 20));
        // The owner is alive and renews its lease: a retry meanwhile is told to wait, well past one lease.
        await new Promise((r) => setTimeout(r, 2500));
        const early = await postBatch(first);
        assert.equal(early.status, 409);
        assert.equal(((await early.json()) as { code: string }).code, 'idempotency_in_progress');
        await killHard(first.child);
        await inFlight;
        const second = await startServer({ ...env, QUIVER_TEST_KEY: first.key });
        servers.push(second);
        let answer = await postBatch(second);
        const deadline = Date.now() + 20_000;
        while (answer.status === 409 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          answer = await postBatch(second);
        }
        const body = (await answer.json()) as { created: number; code?: string };
        assert.equal(answer.status, 200, JSON.stringify(body));
        assert.equal(body.created, BATCH.items.length);
        const replay = await postBatch(second);
        assert.equal(replay.status, 200);
        assert.equal(replay.headers.get('idempotent-replayed'), 'true');
        const changes = await fetch(`http://127.0.0.1:${second.port}/v1/changes?after=0&limit=1000`, {
          headers: { authorization: `Bearer ${second.key}` },
        });
        const feed = (await changes.json()) as { changes: { itemId: string; version: number }[] };
        assert.equal(feed.changes.length, BATCH.items.length, 'each item written exactly once');
        assert.ok(feed.changes.every((c) => c.version === 1));
      } finally {
        for (const s of servers) await killHard(s.child);
        await storage.cleanup();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}
