// An inference worker thread: holds its own onnxruntime sessions and runs them off the main event loop.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { datatypeOfOrt, ORT_TYPE } from './dtypes.ts';
import type { WorkerFailure, WorkerReply, WorkerRequest } from './protocol.ts';
import { ownBuffers, transferListOf } from './tensors.ts';
import type { Signature, TensorSpec, Tensors } from './types.ts';

/** One thread per worker: parallelism comes from the pool, not from onnxruntime's own thread pools. */
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  // Errors reach the caller as rejections; onnxruntime's own log would repeat them on stderr.
  logSeverityLevel: 4,
};

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const sessions = new Map<string, ort.InferenceSession>();

class Failure extends Error {
  constructor(
    readonly failure: WorkerFailure,
    message: string,
  ) {
    super(message);
  }
}

const specOf = (m: ort.InferenceSession.ValueMetadata): TensorSpec => {
  if (!m.isTensor) throw new Failure('load', `'${m.name}' is not a tensor`);
  const datatype = datatypeOfOrt(m.type);
  if (!datatype) throw new Failure('load', `'${m.name}' has type ${m.type}, which the protocol cannot carry`);
  return { name: m.name, datatype, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
};

const load = async (key: string, given: string | Uint8Array): Promise<Signature> => {
  // The pool sends bytes in shared memory (pool.ts): onnxruntime reads an ordinary buffer, copied here, off the
  // main thread.
  const source =
    typeof given !== 'string' && given.buffer instanceof SharedArrayBuffer ? given.slice() : given;
  let session: ort.InferenceSession;
  try {
    session =
      typeof source === 'string'
        ? await ort.InferenceSession.create(source, SESSION_OPTIONS)
        : await ort.InferenceSession.create(source, SESSION_OPTIONS);
  } catch (e) {
    throw new Failure('load', e instanceof Error ? e.message : String(e));
  }
  try {
    const signature = {
      inputs: session.inputMetadata.map(specOf),
      outputs: session.outputMetadata.map(specOf),
    };
    await sessions.get(key)?.release();
    sessions.set(key, session);
    return signature;
  } catch (e) {
    await session.release();
    throw e;
  }
};

/** Epoch milliseconds with sub-millisecond precision (this thread's clock origin plus its monotonic time). */
const epochNow = () => performance.timeOrigin + performance.now();

const run = async (
  key: string,
  feeds: Tensors,
): Promise<{ outputs: Tensors; computeMs: number; startedAt: number }> => {
  const session = sessions.get(key);
  if (!session) throw new Failure('unknown_model', `model '${key}' is not loaded in this worker`);
  const ortFeeds: Record<string, ort.Tensor> = {};
  try {
    for (const [name, t] of Object.entries(feeds))
      ortFeeds[name] = new ort.Tensor(ORT_TYPE[t.datatype], t.data, t.shape);
  } catch (e) {
    throw new Failure('run', e instanceof Error ? e.message : String(e));
  }
  const started = performance.now();
  let result: ort.InferenceSession.ReturnType;
  try {
    result = await session.run(ortFeeds);
  } catch (e) {
    throw new Failure('run', e instanceof Error ? e.message : String(e));
  }
  const computeMs = performance.now() - started;
  const outputs: Tensors = {};
  for (const [name, v] of Object.entries(result)) {
    const datatype = datatypeOfOrt(v.type);
    if (!datatype)
      throw new Failure('run', `output '${name}' has type ${v.type}, which the protocol cannot carry`);
    outputs[name] = { datatype, shape: [...v.dims], data: v.data as Tensors[string]['data'] };
  }
  return { outputs: ownBuffers(outputs), computeMs, startedAt: performance.timeOrigin + started };
};

const handle = async (msg: WorkerRequest): Promise<[WorkerReply, ArrayBuffer[]]> => {
  switch (msg.op) {
    case 'load':
      return [{ id: msg.id, ok: true, signature: await load(msg.key, msg.source) }, []];
    case 'run': {
      const receivedAt = epochNow();
      const { outputs, computeMs, startedAt } = await run(msg.key, msg.feeds);
      const reply = { id: msg.id, ok: true as const, outputs, computeMs, startedAt, receivedAt };
      return [{ ...reply, finishedAt: epochNow() }, transferListOf(outputs)];
    }
    case 'unload':
      await sessions.get(msg.key)?.release();
      sessions.delete(msg.key);
      return [{ id: msg.id, ok: true }, []];
  }
};

port.on('message', (msg: WorkerRequest) => {
  handle(msg).then(
    ([reply, transfer]) => port.postMessage(reply, transfer),
    (e: unknown) => {
      const failure = e instanceof Failure ? e.failure : 'run';
      port.postMessage({
        id: msg.id,
        ok: false,
        failure,
        message: e instanceof Error ? e.message : String(e),
      });
    },
  );
});
