// Resuming an import after Ctrl-C or a crash, and riding out rate limits, against a real Quiver.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, type RetryInfo } from '../src/client.ts';
import { runImport } from '../src/importer.ts';
import type { ImportState } from '../src/state.ts';
import {
  HEAD_5000,
  headOf,
  ONLINE_RETAIL,
  runCli,
  type Server,
  startServer,
  storedEvents,
} from './testing.ts';

const POLL_MS = 5;

describe('resumable import (Online Retail head, real server)', () => {
  let server: Server;
  let file: string;
  before(async () => {
    server = await startServer();
    file = await headOf(ONLINE_RETAIL, 5000, join(server.dir, 'or-head.csv'));
  });
  after(() => server.close());

  const readState = (path: string): ImportState | undefined =>
    existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;

  /** The CLI import of the head file in batches of 20, with its state kept at `state`. */
  const importArgs = (key: string, state: string) => [
    'import',
    'or-head.csv',
    '--url',
    server.url,
    '--key',
    key,
    '--batch',
    '20',
    '--state',
    state,
  ];

  /** Each event in the tenant's log exactly once, and all of them. */
  const assertLogComplete = async (key: string) => {
    const events = await storedEvents(server.app, key);
    assert.equal(events.length, HEAD_5000.events);
    assert.equal(new Set(events.map((e) => e.id)).size, HEAD_5000.events);
  };

  test('stopped after 3 batches (as by Ctrl-C), a rerun continues where it stopped; nothing is sent twice', async () => {
    const key = await server.tenant('stop');
    const statePath = join(server.dir, 'stop.json');
    const url = server.url;
    const client = createClient({ url, key });
    const stop = new AbortController();
    let checkpoints = 0;
    const first = await runImport(
      { client },
      {
        file,
        statePath,
        url,
        key,
        batchSize: 200,
        signal: stop.signal,
        onCheckpoint: () => {
          if (++checkpoints === 3) stop.abort();
        },
      },
    );
    assert.equal(first.interrupted, true);
    assert.equal(first.state.totals.batches, 3);
    assert.equal(first.state.totals.events, 600);
    assert.ok(first.state.line > 600 && first.state.line < 700, `stopped at line ${first.state.line}`);

    const second = await runImport({ client }, { file, statePath, url, key, batchSize: 200 });
    assert.equal(second.interrupted, false);
    assert.equal(second.resumedAtLine, first.state.line);
    assert.equal(second.eventsThisRun, HEAD_5000.events - 600);
    const t = second.state.totals;
    assert.deepEqual([t.rows, t.events, t.accepted, t.duplicates, t.rejected], [4999, 4997, 4997, 0, 0]);
    assert.equal(t.itemsCreated, HEAD_5000.items);
    assert.equal(t.itemsUpdated, 0, 'items created before the stop are not sent again');
    await assertLogComplete(key);
  });

  test('Ctrl-C on the process: it finishes the batch in flight, says how to continue, exits 130', async () => {
    const key = await server.tenant('sigint');
    const args = importArgs(key, 'sigint.json');
    const run = runCli(args, { cwd: server.dir });
    while ((readState(join(server.dir, 'sigint.json'))?.totals.batches ?? 0) < 3) await sleep(POLL_MS);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /Stopping after the batches in flight/);
    assert.match(stopped.stdout, /stopped at line [\d,]+; run the same command again to continue/);

    const rest = await runCli(args, { cwd: server.dir }).done;
    assert.equal(rest.code, 0, rest.stderr);
    assert.match(rest.stdout, /resumed at +line/);
    assert.match(rest.stdout, /events +4,997: accepted 4,997, duplicates 0, rejected 0/);
    await assertLogComplete(key);
  });

  test('killed outright (SIGKILL) mid-import, a rerun completes; overlap is only ever a duplicate', async () => {
    const key = await server.tenant('crash');
    const statePath = join(server.dir, 'crash.json');
    const args = importArgs(key, statePath);
    const run = runCli(args, { cwd: server.dir });
    while ((readState(statePath)?.totals.batches ?? 0) < 5) await sleep(POLL_MS);
    run.child.kill('SIGKILL');
    assert.equal((await run.done).signal, 'SIGKILL');
    assert.equal(readState(statePath)?.done, false);

    const rest = await runCli(args, { cwd: server.dir }).done;
    assert.equal(rest.code, 0, rest.stderr);
    const t = readState(statePath)!.totals;
    assert.equal(t.events, HEAD_5000.events, 'every row acknowledged once in the state');
    // A batch the server took just before the kill, but not yet saved, comes back as duplicates.
    assert.equal(t.accepted + t.duplicates, HEAD_5000.events);
    assert.ok(t.duplicates <= 20, `at most one batch again, got ${t.duplicates}`);
    await assertLogComplete(key);
  });

  test('under a tight rate limit it waits as Retry-After says and still imports everything', async () => {
    const limits = { tenantPerSecond: 4, tenantBurst: 1, keyPerSecond: 4, keyBurst: 1 };
    const key = await server.tenant('slow', ['catalog:write', 'events:write'], limits);
    const small = await headOf(ONLINE_RETAIL, 201, join(server.dir, 'or-200.csv'));
    const retries: RetryInfo[] = [];
    const url = server.url;
    const client = createClient({ url, key, onRetry: (r) => retries.push(r) });
    const result = await runImport(
      { client },
      { file: small, statePath: join(server.dir, 'slow.json'), url, key, batchSize: 100 },
    );
    const t = result.state.totals;
    assert.equal(t.events, 200);
    assert.equal(t.accepted, 200);
    assert.ok(retries.length > 0, 'the limit was hit');
    for (const r of retries) {
      assert.match(r.reason, /^429 rate_limited/);
      assert.ok(r.delayMs >= 1000, 'Retry-After is whole seconds, and was honoured');
    }
  });
});
