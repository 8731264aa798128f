// Messages between the pool (main thread) and an inference worker.
import { QuiverError } from '../../kernel/errors.ts';
import type { ModelSource, Signature, Tensors } from './types.ts';

export type WorkerRequest =
  | { op: 'load'; id: number; key: string; source: ModelSource }
  | { op: 'run'; id: number; key: string; feeds: Tensors }
  | { op: 'unload'; id: number; key: string };

/** Why a request failed in the worker: the artifact, the inputs at run time, or an unknown model key. */
export type WorkerFailure = 'load' | 'run' | 'unknown_model';

export type WorkerReply =
  | {
      id: number;
      ok: true;
      signature?: Signature;
      outputs?: Tensors;
      computeMs?: number;
      /** When `session.run()` started, epoch milliseconds (the worker's span, recorded by the caller). */
      startedAt?: number;
      /** When the worker took the message and when its reply was ready, epoch milliseconds. */
      receivedAt?: number;
      finishedAt?: number;
    }
  | { id: number; ok: false; failure: WorkerFailure; message: string };

/** The error a caller sees for a session failure. */
export const failureErrorOf = (failure: WorkerFailure, message: string): QuiverError => {
  switch (failure) {
    case 'load':
      return new QuiverError('unprocessable', `the model could not be loaded: ${message}`);
    case 'run':
      return new QuiverError('unprocessable', `inference failed: ${message}`);
    case 'unknown_model':
      return new QuiverError('unavailable', message);
  }
};
