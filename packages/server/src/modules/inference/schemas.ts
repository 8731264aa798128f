// Wire shapes of the Open Inference Protocol (KServe V2) REST API (in contracts) and the server's own views of them.
import {
  type InferResponseBody,
  MAX_TIMEOUT_MS,
  MODEL_NAME_PATTERN,
  type ResponseOutput,
  TIMEOUT_HEADER,
} from '@quiver/contracts';
import { Type } from 'typebox';

export {
  type InferRequestBody,
  InferRequestSchema,
  type InferResponseBody,
  InferResponseSchema,
  MAX_TIMEOUT_MS,
  type ModelMetadata,
  ModelMetadataSchema,
  ModelReadySchema,
  OipErrorSchema,
  type RequestInput,
  RequestInputSchema,
  type ResponseOutput,
  ResponseOutputSchema,
  type ServerMetadata,
  ServerMetadataSchema,
  TIMEOUT_HEADER,
} from '@quiver/contracts';

/**
 * An output whose data is the engine's array as it is (a typed array for numbers, string[] for BYTES), for
 * callers in this process that only read it: no JSON copy per request (a 5,000-item ranking is 10,000
 * values). Not JSON: never serialize it. Read only: a cached answer shares it with every hit.
 */
export type ViewOutput = Omit<ResponseOutput, 'data'> & { data?: ArrayLike<unknown> };
/** An answer with its outputs as views (see ViewOutput); an InferResponseBody is one too. */
export type InferViewsBody = Omit<InferResponseBody, 'outputs'> & { outputs: ViewOutput[] };

/** What the service answers: the JSON body, and the raw bytes of binary outputs (in output order; empty for JSON). */
export interface InferAnswer {
  body: InferResponseBody;
  chunks: Uint8Array[];
}

export const ModelParams = Type.Object({ name: Type.String({ pattern: MODEL_NAME_PATTERN }) });
export const VersionParams = Type.Object({
  name: Type.String({ pattern: MODEL_NAME_PATTERN }),
  version: Type.String({ pattern: '^[A-Za-z0-9_-]{1,50}$', description: 'a number or an alias' }),
});
export const TimeoutHeaders = Type.Object({
  [TIMEOUT_HEADER]: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TIMEOUT_MS })),
});
