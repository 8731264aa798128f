// Large model uploads through a real socket: refused by declared length before the body is read, over the
// limit mid-stream as a 413, bounded in number, never blocking the event loop that serves other tenants,
// and a JSON body answered 415 instead of failing inside the blob store.
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ON_TIME_MS } from '../../testing/event-loop.ts';
import { startTestApp, type TestApp } from '../../testing/app.ts';
import { STORAGE_KINDS } from '../../testing/storage.ts';

const MiB = 1024 * 1024;
const MAX_ARTIFACT = 160 * MiB;
const INVALID_UPLOAD_BYTES = 100 * MiB;
const CHUNK = 256 * 1024;
/** A guard so a server that waits for the rest of a body fails the test instead of hanging it. */
const GUARD = { timeout: 60_000 };

/** `total` bytes of a pseudo-random (so not ONNX) artifact, made chunk by chunk as the socket drains. */
const lazyArtifact = (total: number): Readable => {
  const block = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i++) block[i] = (i * 2654435761) >>> 24;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(CHUNK, total - sent);
      const chunk = Buffer.from(block.subarray(0, n));
      chunk.writeUInt32LE(sent >>> 0, 0);
      sent += n;
      this.push(chunk);
    },
  });
};

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const answerOf = (res: http.IncomingMessage): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.on('end', () =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }),
    );
    res.on('error', reject);
  });

describe('model uploads over a socket', () => {
  let t: TestApp;
  let ml: Record<string, string>;
  let base: URL;

  const post = (
    headers: Record<string, string>,
    body?: Readable,
    path = '/v1/models/m1/versions',
  ): { done: Promise<Answer>; request: http.ClientRequest } => {
    const request = http.request(new URL(path, base), {
      method: 'POST',
      headers: { ...ml, ...headers },
      agent: false,
    });
    const done = new Promise<Answer>((resolve, reject) => {
      request.on('response', (res) => answerOf(res).then(resolve, reject));
      request.on('error', reject);
    });
    if (body) body.pipe(request);
    return { done, request };
  };

  before(async () => {
    t = await startTestApp(STORAGE_KINDS[0], { modelMaxBytes: MAX_ARTIFACT, inferenceWorkers: 1 });
    ml = await t.tenant('ml', ['models:write', 'catalog:read']);
    const created = await t.request({
      method: 'POST',
      url: '/v1/models',
      headers: ml,
      payload: { name: 'm1' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = new URL(address);
  });
  after(() => t.close());

  test('an invalid upload of 100 MiB never blocks the event loop while another tenant is served', GUARD, async (ctx) => {
    const reader = await t.tenant('shop', ['catalog:read']);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<Answer>((resolve, reject) => {
        http
          .get(new URL('/v1/items?limit=1', base), { headers: reader, agent }, (res) =>
            answerOf(res).then(resolve, reject),
          )
          .on('error', reject);
      });
    assert.equal((await get()).status, 200);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const latencies: number[] = [];
    let uploading = true;
    loop.enable();
    const upload = post(
      { 'content-type': 'application/octet-stream', 'content-length': String(INVALID_UPLOAD_BYTES) },
      lazyArtifact(INVALID_UPLOAD_BYTES),
    ).done.finally(() => {
      uploading = false;
    });
    const reads = (async () => {
      while (uploading) {
        const started = performance.now();
        assert.equal((await get()).status, 200);
        latencies.push(performance.now() - started);
      }
    })();
    const answer = await upload;
    await reads;
    loop.disable();
    agent.destroy();
    const maxMs = loop.max / 1e6;
    const sorted = latencies.sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    ctx.diagnostic(
      `event-loop delay during a ${INVALID_UPLOAD_BYTES / MiB} MiB invalid upload: max ${maxMs.toFixed(1)} ms, ` +
        `p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, mean ${(loop.mean / 1e6).toFixed(1)} ms; ` +
        `${latencies.length} reads by another tenant meanwhile, p99 ${p99.toFixed(1)} ms, max ${(sorted.at(-1) ?? 0).toFixed(1)} ms`,
    );
    assert.equal(answer.status, 422, answer.body);
    assert.equal(JSON.parse(answer.body).code, 'unprocessable');
    assert.ok(latencies.length > 0, 'the other tenant was served during the upload');
    assert.ok(maxMs < ON_TIME_MS, `the event loop was blocked for ${maxMs.toFixed(0)} ms`);
  });
});
