// Large model uploads through a real socket: refused by declared length before the body is read, over the
// limit mid-stream as a 413, bounded in number, never blocking the event loop that serves other tenants,
// and a JSON body answered 415 instead of failing inside the blob store.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from '../../support/app.ts';
import { linearModel } from '../../support/onnx/index.ts';
import { STORAGE_KINDS } from '../../support/storage.ts';

const MiB = 1024 * 1024;
const INVALID_UPLOAD_BYTES = 100 * MiB;
const CHUNK = 256 * 1024;
/**
 * Generous: a bound on blocking, not on speed. On a 2-core machine at load 13 the loop's worst delay was
 * 2.7-3.7 s before uploads were spooled and loaded in the worker, about 120 ms after.
 */
const LOOP_BLOCKED_MS = 500;
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

/** Starts a POST on its own connection; the body, when given, is piped in as the socket drains. */
const post = (url: URL, headers: Record<string, string>, body?: Readable) => {
  const request = http.request(url, { method: 'POST', headers, agent: false });
  const done = new Promise<Answer>((resolve, reject) => {
    request.on('response', (res) => answerOf(res).then(resolve, reject));
    request.on('error', reject);
  });
  if (body) body.pipe(request);
  return { done, request };
};

/** Writes raw bytes on a fresh connection and reads the answer until the server closes the connection. */
const rawExchange = (url: URL, head: string, bodyStart: Buffer): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const parts: Buffer[] = [];
    socket.on('data', (c: Buffer) => parts.push(c));
    socket.on('close', () => resolve(Buffer.concat(parts).toString()));
    socket.on('error', reject);
    socket.write(head);
    socket.write(bodyStart);
  });

const started = async (
  kind: (typeof STORAGE_KINDS)[number],
  config: Parameters<typeof startTestApp>[1],
): Promise<{ t: TestApp; ml: Record<string, string>; base: URL }> => {
  const t = await startTestApp(kind, config);
  const ml = await t.tenant('ml', ['models:write']);
  const created = await t.request({
    method: 'POST',
    url: '/v1/models',
    headers: ml,
    payload: { name: 'm1' },
  });
  assert.equal(created.statusCode, 201, created.body);
  return { t, ml, base: new URL(await t.app.listen({ port: 0, host: '127.0.0.1' })) };
};

describe('a large invalid upload and the other tenants', () => {
  let t: TestApp;
  let ml: Record<string, string>;
  let base: URL;
  const versions = () => new URL('/v1/models/m1/versions', base);

  before(async () => {
    ({ t, ml, base } = await started(STORAGE_KINDS[0], {
      modelMaxBytes: 2 * INVALID_UPLOAD_BYTES,
      inferenceWorkers: 1,
    }));
  });
  // A server still waiting for a body (the old behaviour) must not hang the suite's close.
  after(() => {
    t.app.server.closeAllConnections();
    return t.close();
  });

  test(
    `an invalid upload of ${INVALID_UPLOAD_BYTES / MiB} MiB never blocks the event loop while another tenant is served`,
    GUARD,
    async (ctx) => {
      // The reads below go back to back for as long as the upload lasts (2,000+ on a fast machine, over the
      // default key burst): limits far above that keep this test about the event loop (it once answered 429).
      const unlimited = { tenantPerSecond: 1e6, tenantBurst: 1e6, keyPerSecond: 1e6, keyBurst: 1e6 };
      const reader = await t.tenant('shop', ['catalog:read'], unlimited);
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
      const baseline = process.memoryUsage().arrayBuffers;
      let peak = baseline;
      const sample = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }, 20);
      let uploading = true;
      loop.enable();
      const upload = post(
        versions(),
        { ...ml, 'content-type': 'application/octet-stream', 'content-length': String(INVALID_UPLOAD_BYTES) },
        lazyArtifact(INVALID_UPLOAD_BYTES),
      ).done.finally(() => {
        uploading = false;
      });
      const reads = (async () => {
        while (uploading) {
          const began = performance.now();
          assert.equal((await get()).status, 200);
          latencies.push(performance.now() - began);
        }
      })();
      const answer = await upload;
      await reads;
      loop.disable();
      clearInterval(sample);
      agent.destroy();
      const maxMs = loop.max / 1e6;
      const sorted = latencies.sort((a, b) => a - b);
      const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
      const grewMiB = (peak - baseline) / MiB;
      ctx.diagnostic(
        `event-loop delay during a ${INVALID_UPLOAD_BYTES / MiB} MiB invalid upload: max ${maxMs.toFixed(1)} ms, ` +
          `p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, mean ${(loop.mean / 1e6).toFixed(1)} ms; ` +
          `${latencies.length} reads by another tenant meanwhile, p99 ${p99.toFixed(1)} ms, ` +
          `max ${(sorted.at(-1) ?? 0).toFixed(1)} ms; main-thread ArrayBuffers peaked ${grewMiB.toFixed(1)} MiB over the start`,
      );
      assert.equal(answer.status, 422, answer.body);
      assert.equal(JSON.parse(answer.body).code, 'unprocessable');
      const spooled = readdirSync(join(t.config.dataDir, 'uploads'), {
        recursive: true,
        withFileTypes: true,
      });
      assert.deepEqual(
        spooled.filter((e) => e.isFile()).map((e) => e.name),
        [],
        'nothing left in the spool',
      );
      assert.ok(latencies.length > 0, 'the other tenant was served during the upload');
      assert.ok(maxMs < LOOP_BLOCKED_MS, `the event loop was blocked for ${maxMs.toFixed(0)} ms`);
      assert.ok(
        peak - baseline < INVALID_UPLOAD_BYTES / 2,
        `the artifact was held in the main thread (ArrayBuffers grew ${grewMiB.toFixed(0)} MiB)`,
      );
    },
  );
});

describe('upload limits', () => {
  let t: TestApp;
  let ml: Record<string, string>;
  let base: URL;
  const versions = () => new URL('/v1/models/m1/versions', base);
  const limit = MiB;
  const linear = linearModel({ inFeatures: 3, outFeatures: 2, seed: 1 });

  before(async () => {
    ({ t, ml, base } = await started(STORAGE_KINDS[0], { modelMaxBytes: limit, inferenceWorkers: 1 }));
  });
  // A server still waiting for a body (the old behaviour) must not hang the suite's close.
  after(() => {
    t.app.server.closeAllConnections();
    return t.close();
  });

  for (const type of ['application/octet-stream', 'multipart/form-data; boundary=x']) {
    test(
      `a declared Content-Length over the limit is 413 before the body is read (${type.split(';')[0]})`,
      GUARD,
      async () => {
        const auth = Object.entries(ml)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('');
        const head =
          `POST /v1/models/m1/versions HTTP/1.1\r\nhost: ${base.host}\r\n${auth}` +
          `content-type: ${type}\r\ncontent-length: ${2 * 1024 ** 3}\r\n\r\n`;
        // 2 GiB declared, 4 bytes sent: an answer at all shows the server did not wait for the body.
        const answer = await rawExchange(base, head, Buffer.from('ONNX'));
        const [headers, body] = answer.split('\r\n\r\n');
        assert.match(headers, /^HTTP\/1\.1 413 /);
        assert.match(headers, /\r\nconnection: close\r\n/i);
        const problem = JSON.parse(body);
        assert.equal(problem.code, 'payload_too_large');
        assert.deepEqual(
          problem.errors.map((e: { path: string }) => e.path),
          ['/headers/content-length'],
        );
      },
    );
  }

  test('a chunked upload (no Content-Length) is answered 413 once it crosses the limit', GUARD, async () => {
    const socket = connect(Number(base.port), base.hostname);
    const parts: Buffer[] = [];
    let answered = false;
    let sent = 0;
    socket.on('data', (c: Buffer) => {
      answered = true;
      parts.push(c);
    });
    // Writes after the server closed may fail (EPIPE, ECONNRESET); what it answered before is what counts.
    socket.on('error', () => {});
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      `POST /v1/models/m1/versions HTTP/1.1\r\nhost: ${base.host}\r\nauthorization: ${ml.authorization}\r\n` +
        'content-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n',
    );
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 7), Buffer.from('\r\n')]);
    // Keep sending until the answer comes (a server that reads on, or resets the connection, fails here).
    while (!answered && !socket.destroyed && sent < 64 * limit) {
      sent += 0x10000;
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
    }
    await closed;
    const [headers, body] = Buffer.concat(parts).toString().split('\r\n\r\n');
    assert.match(headers, /^HTTP\/1\.1 413 /);
    assert.match(headers, /\r\nconnection: close\r\n/i);
    assert.equal(JSON.parse(body).code, 'payload_too_large');
    assert.ok(sent < 64 * limit, `answered while the body was still being sent (after ${sent} bytes)`);
  });

  test(
    'uploads beyond the per-process bound are refused with 503 and Retry-After, unread',
    GUARD,
    async () => {
      const uploadLinear = () =>
        post(
          versions(),
          {
            ...ml,
            'content-type': 'application/octet-stream',
            'content-length': String(linear.bytes.length),
          },
          Readable.from([linear.bytes]),
        ).done;
      const held = [new PassThrough(), new PassThrough()];
      const open = held.map((body) =>
        post(versions(), { ...ml, 'content-type': 'application/octet-stream' }, body),
      );
      for (const body of held) body.write(Buffer.alloc(1024, 1));
      while (t.registry.activeUploads() < held.length) await sleep(5);
      const refused = await uploadLinear();
      assert.equal(refused.status, 503, refused.body);
      assert.equal(refused.headers['retry-after'], '5');
      assert.equal(JSON.parse(refused.body).code, 'unavailable');
      for (const body of held) body.end();
      for (const { done } of open) assert.equal((await done).status, 422, 'the held uploads finish as usual');
      assert.equal(t.registry.activeUploads(), 0);
      const retried = await uploadLinear();
      assert.equal(retried.status, 201, retried.body);
    },
  );

  test('a JSON body is 415 naming the content type, not a 500 from the blob store', async () => {
    for (const headers of [{ 'content-type': 'application/json' }, { 'content-type': 'text/plain' }]) {
      const res = await t.request({
        method: 'POST',
        url: '/v1/models/m1/versions',
        headers: { ...ml, ...headers },
        payload: '{}',
      });
      assert.equal(res.statusCode, 415, res.body);
      assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
      assert.equal(res.json().code, 'unsupported_media_type');
      assert.deepEqual(res.json().errors, [
        {
          path: '/headers/content-type',
          message: 'must be application/octet-stream or multipart/form-data',
        },
      ]);
    }
  });
});
