// Dynamic batching with real workers: equal results under load, shape grouping, deadlines, full queues, fairness.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { isQuiverError, type QuiverError } from '../../../src/kernel/errors.ts';
import {
  type BatchEvent,
  createInferenceEngine,
  type InferenceEngine,
  type RejectEvent,
  type RequestEvent,
} from '../../../src/modules/engine/index.ts';
import {
  deepModel,
  embeddingPoolModel,
  embeddingPoolReference,
  linearModel,
  prng,
  randomFloats,
} from '../../support/onnx/index.ts';
import { f32, i64 } from './testing.ts';

/** An engine whose metrics hooks are recorded, closed after the suite. */
const engines: InferenceEngine[] = [];
const open = (poolSize: number, clock?: { now(): number }) => {
  const events = {
    batches: [] as BatchEvent[],
    requests: [] as RequestEvent[],
    rejects: [] as RejectEvent[],
    depths: [] as number[],
  };
  const engine = createInferenceEngine(
    {
      clock,
      observer: {
        onBatch: (e) => events.batches.push(e),
        onRequest: (e) => events.requests.push(e),
        onReject: (e) => events.rejects.push(e),
        onQueueDepth: (e) => events.depths.push(e.depth),
      },
    },
    { poolSize },
  );
  engines.push(engine);
  return { engine, events };
};

describe('dynamic batching', () => {
  after(() => Promise.all(engines.map((e) => e.close())));
  const linear = linearModel({ inFeatures: 16, outFeatures: 4, seed: 3 });

  it('200 concurrent single-row requests give the same results batched as unbatched', async () => {
    const { engine, events } = open(2);
    await engine.load('off', linear.bytes, {
      batching: { maxBatchSize: 1 },
      labels: { model: 'lin', version: 'off' },
    });
    await engine.load('on', linear.bytes, {
      batching: { maxBatchSize: 32, maxQueueDelayMs: 2 },
      labels: { model: 'lin', version: 'on' },
    });
    const rows = Array.from({ length: 200 }, (_, i) => randomFloats(16, 1000 + i));
    const call = (key: string, i: number) =>
      engine
        .infer(key, { tenant: `t${i % 3}`, inputs: { x: f32([1, 16], rows[i]) } })
        .then((r) => r.outputs.y);
    const [off, on] = await Promise.all([
      Promise.all(rows.map((_, i) => call('off', i))),
      Promise.all(rows.map((_, i) => call('on', i))),
    ]);
    for (let i = 0; i < rows.length; i++) {
      assert.deepEqual(on[i].shape, [1, 4]);
      const a = on[i].data as Float32Array;
      const b = off[i].data as Float32Array;
      for (let j = 0; j < 4; j++)
        assert.ok(Math.abs(a[j] - b[j]) <= 1e-5 * Math.max(1, Math.abs(b[j])), `row ${i}`);
    }
    const sizes = (version: string) => events.batches.filter((b) => b.version === version).map((b) => b.rows);
    assert.ok(sizes('off').every((n) => n === 1));
    assert.ok(Math.max(...sizes('on')) > 1, 'some requests shared a batch');
    assert.ok(Math.max(...sizes('on')) <= 32);
    assert.equal(
      sizes('on').reduce((a, b) => a + b, 0),
      200,
    );
    const onRequests = events.requests.filter((r) => r.version === 'on');
    assert.equal(onRequests.length, 200);
    assert.ok(
      onRequests.every(
        (r) => r.outcome === 'ok' && r.queueSeconds >= 0 && r.computeShareSeconds <= r.computeSeconds,
      ),
    );
    assert.ok(Math.max(...events.depths) > 1);
  });

  it('requests of different sequence lengths are never concatenated, and each gets its own answer', async () => {
    const { engine, events } = open(1);
    const enc = embeddingPoolModel({ vocab: 30, dim: 4, seed: 2 });
    await engine.load('enc', enc.bytes, { batching: { maxBatchSize: 16 } });
    const next = prng(9);
    const reqs = Array.from({ length: 60 }, (_, i) => {
      const seq = 2 + (i % 3) * 3;
      return {
        seq,
        ids: Array.from({ length: seq }, () => Math.floor(next() * 30)),
        mask: Array.from({ length: seq }, (_, t) => (t === 0 || next() < 0.7 ? 1 : 0)),
      };
    });
    const results = await Promise.all(
      reqs.map((r, i) =>
        engine.infer('enc', {
          tenant: `t${i % 2}`,
          inputs: { input_ids: i64([1, r.seq], r.ids), attention_mask: i64([1, r.seq], r.mask) },
        }),
      ),
    );
    results.forEach((res, i) => {
      const want = embeddingPoolReference(reqs[i].ids, reqs[i].mask, reqs[i].seq, enc.table, 4);
      const got = res.outputs.embeddings.data as Float32Array;
      for (let d = 0; d < 4; d++) assert.ok(Math.abs(got[d] - want[d]) < 1e-5, `request ${i}`);
    });
    assert.ok(events.batches.some((b) => b.rows > 1));
  });

  it('one bad request in a batch fails alone; the others still succeed', async () => {
    const { engine } = open(1);
    const enc = embeddingPoolModel({ vocab: 10, dim: 3, seed: 1 });
    await engine.load('enc', enc.bytes, { batching: { maxBatchSize: 8 } });
    const ids = [1, 2, 3, 999, 4, 5, 6, 7];
    const settled = await Promise.allSettled(
      ids.map((id) =>
        engine.infer('enc', {
          tenant: 't',
          inputs: { input_ids: i64([1, 1], [id]), attention_mask: i64([1, 1], [1]) },
        }),
      ),
    );
    settled.forEach((s, i) => {
      if (ids[i] === 999)
        assert.ok(s.status === 'rejected' && (s.reason as QuiverError).code === 'unprocessable');
      else
        assert.ok(
          s.status === 'fulfilled' &&
            (s.value.outputs.embeddings.data as Float32Array)[0] === enc.table[ids[i] * 3],
        );
    });
  });

  it('a request whose deadline passed is dropped before it runs', async () => {
    let now = 1_000_000;
    const { engine, events } = open(1, { now: () => now });
    await engine.load('lin', linear.bytes);
    const x = () => ({ x: f32([1, 16], randomFloats(16, 4)) });
    const isDeadline = (e: unknown) => isQuiverError(e) && e.code === 'deadline_exceeded' && e.status === 504;

    await assert.rejects(engine.infer('lin', { tenant: 'a', inputs: x(), deadline: now - 1 }), isDeadline);
    const first = engine.infer('lin', { tenant: 'a', inputs: x() }); // runs first, on the only worker
    const late = engine.infer('lin', { tenant: 'b', inputs: x(), deadline: now + 1_000 }); // queued behind it
    now += 5_000; // the queued request's deadline passes while it waits
    await first;
    await assert.rejects(late, isDeadline);
    assert.equal(events.batches.length, 1, 'only the first request ran');
    assert.deepEqual(
      events.requests.map((r) => r.tenant),
      ['a'],
    );
    assert.deepEqual(
      events.rejects.map((r) => [r.tenant, r.reason]),
      [
        ['a', 'deadline'],
        ['b', 'deadline'],
      ],
    );
  });

  it('a full queue refuses at once with rate_limited and Retry-After; the heaviest tenant gives way', async () => {
    const { engine, events } = open(1);
    await engine.load('lin', linear.bytes, { batching: { maxQueueSize: 2 } });
    const call = (tenant: string) =>
      engine.infer('lin', { tenant, inputs: { x: f32([1, 16], randomFloats(16, 1)) } });
    const running = call('a');
    await setImmediate(); // batches form at the end of the loop turn: now it runs, and the next two wait
    const queued = [call('a'), call('a')];
    await assert.rejects(call('a'), (e: unknown) => {
      assert.ok(isQuiverError(e) && e.code === 'rate_limited' && e.status === 429);
      assert.ok(Number.isInteger(e.retryAfterS) && (e.retryAfterS ?? 0) >= 1);
      return true;
    });
    // Tenant b holds nothing: a's newest queued request is evicted to make room for it.
    const fromB = call('b');
    await assert.rejects(
      queued[1],
      (e: unknown) => isQuiverError(e) && e.code === 'rate_limited' && (e.retryAfterS ?? 0) >= 1,
    );
    await Promise.all([running, queued[0], fromB]);
    assert.deepEqual(
      events.rejects.map((r) => r.reason),
      ['queue_full', 'evicted'],
    );
  });

  it("one tenant's flood does not starve another tenant's few requests", async () => {
    const { engine } = open(1);
    await engine.load('lin', linear.bytes, { batching: { maxBatchSize: 4, maxQueueSize: 1000 } });
    const finished: string[] = [];
    const call = (tenant: string, i: number) =>
      engine
        .infer('lin', { tenant, inputs: { x: f32([1, 16], randomFloats(16, i)) } })
        .then(() => finished.push(`${tenant}${i}`));
    const flood = Array.from({ length: 300 }, (_, i) => call('A', i));
    const few = Array.from({ length: 3 }, (_, i) => call('B', i));
    await Promise.all([...flood, ...few]);
    const positions = ['B0', 'B1', 'B2'].map((id) => finished.indexOf(id));
    // FIFO would finish B's requests last (positions 300-302); round-robin finishes them in the first few batches.
    assert.ok(Math.max(...positions) < 12, `B finished at ${positions}`);
  });

  it('the event loop keeps running while a long batch computes', async () => {
    const { engine } = open(1);
    await engine.load('deep', deepModel({ dim: 256, depth: 120 }));
    let ticks = 0;
    let pending = true;
    const timer = setInterval(() => {
      if (pending) ticks++;
    }, 1);
    const r = await engine.infer('deep', {
      tenant: 't',
      inputs: { x: f32([64, 256], randomFloats(64 * 256, 2)) },
    });
    pending = false;
    clearInterval(timer);
    assert.deepEqual(r.outputs.y.shape, [64, 256]);
    assert.ok(ticks > 0, 'timers fired while the model ran');
  });

  it('a request with zero rows answers empty outputs at once, shaped from the signature, without a batch', async () => {
    const { engine, events } = open(1);
    await engine.load('zero', linear.bytes, { batching: { maxBatchSize: 8, maxQueueDelayMs: 50 } });
    const answers = await Promise.all(
      ['a', 'b', 'a'].map((tenant) => engine.infer('zero', { tenant, inputs: { x: f32([0, 16], []) } })),
    );
    for (const { outputs, batchRows } of answers) {
      assert.deepEqual(outputs.y.shape, [0, 4]);
      assert.ok(outputs.y.data instanceof Float32Array && outputs.y.data.length === 0);
      assert.equal(batchRows, 0);
    }
    assert.equal(events.batches.length, 0, 'no batch ran');
  });
});
