// Validates an uploaded artifact: it must load in onnxruntime and run once on a sample input.
import { randomUUID } from 'node:crypto';
import { isQuiverError, QuiverError } from '../../kernel/index.ts';
import type { InferenceEngine, ModelSource, Signature } from '../engine/index.ts';
import { sampleInputs } from './sample.ts';
import type { VersionMetadata } from './types.ts';

const VALIDATION_TIMEOUT_MS = 60_000;
const VALIDATION_TENANT = '_registry';

const reason = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).slice(0, 500);

/**
 * Returns the artifact's signature, or throws `unprocessable` saying why it is not a usable model. Pass a file
 * path for a large artifact: the worker thread reads it, where bytes would be copied to it by the main thread.
 */
export const validateArtifact = async (
  engine: InferenceEngine,
  artifact: ModelSource,
  metadata: VersionMetadata,
): Promise<Signature> => {
  const key = `validate:${randomUUID()}`;
  let signature: Signature;
  try {
    signature = (await engine.load(key, artifact, { replicas: 1, batching: { maxBatchSize: 1 } })).signature;
  } catch (error) {
    throw new QuiverError('unprocessable', `The artifact does not load in onnxruntime: ${reason(error)}`, {
      cause: error,
    });
  }
  try {
    await engine.infer(key, {
      tenant: VALIDATION_TENANT,
      inputs: sampleInputs(signature, metadata),
      timeoutMs: VALIDATION_TIMEOUT_MS,
    });
    return signature;
  } catch (error) {
    if (
      isQuiverError(error) &&
      error.code === 'validation_failed' &&
      error.errors?.[0]?.path.startsWith('/metadata')
    ) {
      throw error;
    }
    throw new QuiverError(
      'unprocessable',
      `The artifact loaded but failed its sample run: ${reason(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    await engine.unload(key).catch(() => {});
  }
};
