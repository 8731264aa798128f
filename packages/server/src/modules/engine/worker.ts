// An inference worker thread: holds its own onnxruntime sessions and runs them off the main event loop.
import { parentPort } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import type { WorkerReply, WorkerRequest } from './protocol.ts';
import { createSession, runSession, SessionFailure } from './session.ts';
import { ownBuffers, transferListOf } from './tensors.ts';
import type { Signature, Tensors } from './types.ts';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const sessions = new Map<string, ort.InferenceSession>();

const load = async (key: string, given: string | Uint8Array): Promise<Signature> => {
  // The pool sends bytes in shared memory (pool.ts): onnxruntime reads an ordinary buffer, copied here, off the
  // main thread.
  const source =
    typeof given !== 'string' && given.buffer instanceof SharedArrayBuffer ? given.slice() : given;
  const { session, signature } = await createSession(source);
  await sessions.get(key)?.release();
  sessions.set(key, session);
  return signature;
};

/** Epoch milliseconds with sub-millisecond precision (this thread's clock origin plus its monotonic time). */
const epochNow = () => performance.timeOrigin + performance.now();

const run = async (
  key: string,
  feeds: Tensors,
): Promise<{ outputs: Tensors; computeMs: number; startedAt: number }> => {
  const session = sessions.get(key);
  if (!session) throw new SessionFailure('unknown_model', `model '${key}' is not loaded in this worker`);
  const r = await runSession(session, feeds);
  return { ...r, outputs: ownBuffers(r.outputs) };
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
      const failure = e instanceof SessionFailure ? e.failure : 'run';
      port.postMessage({
        id: msg.id,
        ok: false,
        failure,
        message: e instanceof Error ? e.message : String(e),
      });
    },
  );
});
