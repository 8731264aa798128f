// Closing the engine while a batch runs: the batch finishes and the process survives (terminating a worker
// inside session.run() used to abort the whole process with a Napi::Error from onnxruntime).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createInferenceEngine } from '../../../src/modules/engine/index.ts';
import { spawnWorker } from '../../../src/modules/engine/worker-handle.ts';
import { deepModel } from '../../support/onnx/index.ts';

describe('engine shutdown', () => {
  test('close() lets a running batch finish, then stops the workers', async () => {
    const engine = createInferenceEngine({}, { poolSize: 1 });
    await engine.load('deep', deepModel({ dim: 256, depth: 64 }));
    const running = engine.infer('deep', {
      tenant: 't',
      inputs: { x: { datatype: 'FP32', shape: [64, 256], data: new Float32Array(64 * 256) } },
    });
    // Batches leave at the end of the event-loop turn: after this one, the batch is in the worker.
    await new Promise((r) => setImmediate(r));
    await engine.close();
    const result = await running;
    assert.deepEqual(result.outputs.y.shape, [64, 256]);
  });

  test('a worker stops only after the calls in flight are answered (a load here)', async () => {
    const worker = spawnWorker(0, () => {});
    const loading = worker.call({ op: 'load', key: 'deep', source: deepModel({ dim: 512, depth: 64 }) });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(worker.inflight, 1);
    await worker.terminate();
    // Terminated mid-load, the call would have been failed with "inference worker 0 stopped".
    const loaded = await loading;
    assert.ok(loaded.ok && 'signature' in loaded);
    assert.equal(worker.alive, false);
  });
});
