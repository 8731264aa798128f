// One onnxruntime session: created from an artifact, its signature, and one run. Shared by the worker threads
// (worker.ts) and the in-process runner of tiny models (in-process.ts), so both run a model identically.
import * as ort from 'onnxruntime-node';
import { datatypeOfOrt, ORT_TYPE } from './dtypes.ts';
import type { WorkerFailure } from './protocol.ts';
import type { ModelSource, Signature, TensorSpec, Tensors } from './types.ts';

/** One thread per session run: parallelism comes from the pool, not from onnxruntime's own thread pools. */
const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
  // Errors reach the caller as rejections; onnxruntime's own log would repeat them on stderr.
  logSeverityLevel: 4,
};

/** A session failure, named by its stage: the artifact (`load`) or the inputs at run time (`run`). */
export class SessionFailure extends Error {
  constructor(
    readonly failure: WorkerFailure,
    message: string,
  ) {
    super(message);
  }
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

const specOf = (m: ort.InferenceSession.ValueMetadata): TensorSpec => {
  if (!m.isTensor) throw new SessionFailure('load', `'${m.name}' is not a tensor`);
  const datatype = datatypeOfOrt(m.type);
  if (!datatype)
    throw new SessionFailure('load', `'${m.name}' has type ${m.type}, which the protocol cannot carry`);
  return { name: m.name, datatype, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) };
};

/** A session of the artifact and its signature; `SessionFailure('load')` when it does not load. */
export const createSession = async (
  source: ModelSource,
): Promise<{ session: ort.InferenceSession; signature: Signature }> => {
  let session: ort.InferenceSession;
  try {
    session =
      typeof source === 'string'
        ? await ort.InferenceSession.create(source, SESSION_OPTIONS)
        : await ort.InferenceSession.create(source, SESSION_OPTIONS);
  } catch (e) {
    throw new SessionFailure('load', messageOf(e));
  }
  try {
    const signature = {
      inputs: session.inputMetadata.map(specOf),
      outputs: session.outputMetadata.map(specOf),
    };
    return { session, signature };
  } catch (e) {
    await session.release();
    throw e;
  }
};

/** Runs the session on `feeds`; `SessionFailure('run')` when onnxruntime refuses them or fails. */
export const runSession = async (
  session: ort.InferenceSession,
  feeds: Tensors,
): Promise<{ outputs: Tensors; computeMs: number; startedAt: number }> => {
  const ortFeeds: Record<string, ort.Tensor> = {};
  try {
    for (const [name, t] of Object.entries(feeds))
      ortFeeds[name] = new ort.Tensor(ORT_TYPE[t.datatype], t.data, t.shape);
  } catch (e) {
    throw new SessionFailure('run', messageOf(e));
  }
  const started = performance.now();
  let result: ort.InferenceSession.ReturnType;
  try {
    result = await session.run(ortFeeds);
  } catch (e) {
    throw new SessionFailure('run', messageOf(e));
  }
  const computeMs = performance.now() - started;
  const outputs: Tensors = {};
  for (const [name, v] of Object.entries(result)) {
    const datatype = datatypeOfOrt(v.type);
    if (!datatype)
      throw new SessionFailure('run', `output '${name}' has type ${v.type}, which the protocol cannot carry`);
    outputs[name] = { datatype, shape: [...v.dims], data: v.data as Tensors[string]['data'] };
  }
  return { outputs, computeMs, startedAt: performance.timeOrigin + started };
};
