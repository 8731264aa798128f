// The process as a user runs it: first start on an empty data dir, credentials file, readiness, drain on SIGTERM.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEMO_ITEM_COUNT } from '../src/modules/demo/index.ts';
import { freePort, watchProcess } from './support/private-process.ts';

const MAIN = new URL('../src/main.ts', import.meta.url).pathname;

const startProcess = (env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // exited: the exit code, or the signal's name when a signal ended the process (a native crash: SIGABRT, SIGSEGV).
  return { child, ...watchProcess(child) };
};

// Generous: the first start now also loads the demo shop in the background, on a machine others share.
const waitReady = async (port: number, child: ChildProcess) => {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error('process exited before it was ready');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('not ready in time');
};

// Below the ephemeral range and free when probed; port + 1 and port + 2 serve the second start and metrics.
const port = await freePort();

describe('quiver process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'quiver-main-'));
  const metricsPort = port + 2;
  let proc: ReturnType<typeof startProcess>;
  before(async () => {
    proc = startProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      QUIVER_DATA_DIR: dataDir,
      QUIVER_OPERATOR_KEY: '',
      QUIVER_METRICS_PORT: String(metricsPort),
    });
    await waitReady(port, proc.child);
  });
  after(() => {
    proc.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the first start generates keys, writes them 0600, prints them once and loads the demo shop', async () => {
    const file = join(dataDir, 'credentials.json');
    assert.ok(existsSync(file));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const creds = JSON.parse(readFileSync(file, 'utf8'));
    assert.match(creds.operatorKey, /^qo_/);
    assert.match(creds.demoKey, /^qk_/);
    assert.ok(proc.output().includes(creds.demoKey));
    const res = await fetch(`http://127.0.0.1:${port}/v1/items?limit=1000`, {
      headers: { authorization: `Bearer ${creds.demoKey}` },
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { items: unknown[] }).items.length, DEMO_ITEM_COUNT);
    const tenants = await fetch(`http://127.0.0.1:${port}/v1/tenants`, {
      headers: { authorization: `Bearer ${creds.operatorKey}` },
    });
    assert.equal(tenants.status, 200);
  });

  test('logs are JSON lines with request ids and never the key', async () => {
    const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8'));
    await fetch(`http://127.0.0.1:${port}/v1/items/SKU-10000`, {
      headers: { authorization: `Bearer ${creds.demoKey}`, 'x-request-id': 'log-check-1' },
    });
    await new Promise((r) => setTimeout(r, 200));
    const lines = proc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const mine = lines.map((l) => JSON.parse(l)).filter((l) => l.reqId === 'log-check-1');
    assert.ok(mine.length >= 1);
    assert.ok(mine.some((l) => l.tenantId === 'demo'));
    const afterStart = proc.output().slice(proc.output().indexOf('Server listening'));
    assert.ok(!afterStart.includes(creds.demoKey), 'the key appears only in the first-start banner');
  });

  test('a scoped key never reaches the logs; its sk_ id names it', async () => {
    const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8'));
    const minted = await fetch(`http://127.0.0.1:${port}/v1/tenants/demo/keys/scoped`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.demoKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filters: { available: true } }),
    });
    assert.equal(minted.status, 201);
    const { secret, id } = (await minted.json()) as { secret: string; id: string };
    const calls = [
      ['/v1/search', secret, 'scoped-log-1'],
      ['/v1/items', secret, 'scoped-log-2'], // 403
      ['/v1/search', `${secret.slice(0, -3)}xyz`, 'scoped-log-3'], // 401
    ];
    for (const [path, key, requestId] of calls)
      await fetch(`http://127.0.0.1:${port}${path}`, {
        method: path === '/v1/search' ? 'POST' : 'GET',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'x-request-id': requestId,
        },
        ...(path === '/v1/search' ? { body: JSON.stringify({ query: 'lamp' }) } : {}),
      });
    await new Promise((r) => setTimeout(r, 200));
    const out = proc.output();
    assert.ok(!out.includes(secret.slice(3, 40)) && !out.includes(secret.split('.')[1]));
    const mine = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((l) => l.reqId === 'scoped-log-1');
    assert.ok(mine.some((l) => l.keyId === id));
  });

  test('metrics: the API port asks for the operator key, QUIVER_METRICS_PORT serves them without one', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 401);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /quiver_http_requests_total/);
  });

  test('SIGTERM: readiness turns off, the in-flight request completes, then the process exits 0', async () => {
    const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8'));
    const body = JSON.stringify({ title: 'Sent during shutdown' });
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (d) => {
      response += d;
    });
    // Headers and half the body now; the request is in flight when SIGTERM arrives.
    socket.write(
      `PUT /v1/items/late-item HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${creds.demoKey}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    // Draining: the metrics listener is closed while the request is still in flight.
    await assert.rejects(fetch(`http://127.0.0.1:${metricsPort}/metrics`));
    socket.write(body.slice(10));
    const code = await proc.exited;
    await new Promise((r) => setTimeout(r, 50));
    assert.match(response, /^HTTP\/1.1 201/);
    assert.equal(code, 0, `exit ${code}; the process said:\n${proc.output().slice(-3000)}`);
    assert.match(proc.output(), /draining/);
  });

  test('a restart keeps the data and shows no secret again', async () => {
    const again = startProcess({
      PORT: String(port + 1),
      HOST: '127.0.0.1',
      QUIVER_DATA_DIR: dataDir,
      QUIVER_OPERATOR_KEY: '',
    });
    try {
      await waitReady(port + 1, again.child);
      const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8'));
      assert.ok(!again.output().includes(creds.operatorKey));
      const res = await fetch(`http://127.0.0.1:${port + 1}/v1/items/late-item`, {
        headers: { authorization: `Bearer ${creds.demoKey}` },
      });
      assert.equal(res.status, 200, 'the request accepted during shutdown was stored');
      const tenants = await fetch(`http://127.0.0.1:${port + 1}/v1/tenants`, {
        headers: { authorization: `Bearer ${creds.operatorKey}` },
      });
      assert.equal(tenants.status, 200, 'the generated operator key still works after a restart');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });
});

test('an invalid configuration refuses to start and lists the problems', async () => {
  const proc = startProcess({ PORT: 'x', LOG_LEVEL: 'loud' });
  const code = await proc.exited;
  assert.equal(code, 78);
  assert.match(proc.output(), /PORT/);
  assert.match(proc.output(), /LOG_LEVEL/);
});
