// Wire shapes of the Open Inference Protocol (KServe V2) REST API, as TypeBox schemas and their types.
import { MODEL_NAME_PATTERN } from '@quiver/contracts';
import { type Static, Type } from 'typebox';

/** Longest deadline a request may ask for (matches the largest `batching.timeoutMs` of a version). */
export const MAX_TIMEOUT_MS = 600_000;
export const TIMEOUT_HEADER = 'quiver-timeout-ms';

export const OipErrorSchema = Type.Object({ error: Type.String() });

const Parameters = Type.Record(Type.String(), Type.Unknown());

/** OIP's fields and no others: an unknown field (a typo like `inptus`) is a 400 that names it. */
const closed = { additionalProperties: false } as const;

export const RequestInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 256 }),
    shape: Type.Array(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }), { maxItems: 32 }),
    datatype: Type.String({ maxLength: 16 }),
    parameters: Type.Optional(
      Type.Object(
        {
          binary_data_size: Type.Optional(
            Type.Unknown({ description: 'bytes of this input after the JSON header (binary extension)' }),
          ),
        },
        { additionalProperties: true },
      ),
    ),
    data: Type.Optional(
      Type.Array(Type.Unknown(), {
        description: 'row-major, flat or nested to match `shape`; absent when binary_data_size is given',
      }),
    ),
  },
  closed,
);
export type RequestInput = Static<typeof RequestInputSchema>;

export const InferRequestSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 256 })),
    parameters: Type.Optional(
      Type.Object(
        {
          timeout_ms: Type.Optional(
            Type.Integer({ minimum: 0, maximum: MAX_TIMEOUT_MS, description: 'deadline from arrival' }),
          ),
          binary_data_output: Type.Optional(
            Type.Boolean({ description: 'outputs not saying otherwise come back as raw bytes' }),
          ),
        },
        { additionalProperties: true },
      ),
    ),
    inputs: Type.Array(RequestInputSchema, {
      maxItems: 256,
      description: 'May be empty when every input comes from features (parameters.entities)',
    }),
    outputs: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 256 }),
            parameters: Type.Optional(
              Type.Object(
                {
                  binary_data: Type.Optional(
                    Type.Boolean({ description: 'answer this output as raw bytes' }),
                  ),
                  classification: Type.Optional(
                    Type.Unknown({
                      description: 'top k classes per row as BYTES "value:index" (tritonclient class_count)',
                    }),
                  ),
                },
                { additionalProperties: true },
              ),
            ),
          },
          closed,
        ),
        { maxItems: 256 },
      ),
    ),
  },
  closed,
);
export type InferRequestBody = Static<typeof InferRequestSchema>;

export const ResponseOutputSchema = Type.Object({
  name: Type.String(),
  shape: Type.Array(Type.Integer()),
  datatype: Type.String(),
  parameters: Type.Optional(Parameters),
  data: Type.Optional(Type.Array(Type.Unknown())),
});
export type ResponseOutput = Static<typeof ResponseOutputSchema>;

export const InferResponseSchema = Type.Object({
  model_name: Type.String(),
  model_version: Type.String(),
  id: Type.Optional(Type.String()),
  parameters: Type.Optional(Parameters),
  outputs: Type.Array(ResponseOutputSchema),
});
export type InferResponseBody = Static<typeof InferResponseSchema>;

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

const TensorMetadataSchema = Type.Object({
  name: Type.String(),
  datatype: Type.String(),
  shape: Type.Array(Type.Integer(), { description: '-1 marks a dynamic dimension' }),
});

export const ModelMetadataSchema = Type.Object({
  name: Type.String(),
  versions: Type.Array(Type.String()),
  platform: Type.String(),
  inputs: Type.Array(TensorMetadataSchema),
  outputs: Type.Array(TensorMetadataSchema),
});
export type ModelMetadata = Static<typeof ModelMetadataSchema>;

export const ServerMetadataSchema = Type.Object({
  name: Type.String(),
  version: Type.String(),
  extensions: Type.Array(Type.String()),
});
export type ServerMetadata = Static<typeof ServerMetadataSchema>;

export const ModelReadySchema = Type.Object({ name: Type.String(), ready: Type.Boolean() });

export const ModelParams = Type.Object({ name: Type.String({ pattern: MODEL_NAME_PATTERN }) });
export const VersionParams = Type.Object({
  name: Type.String({ pattern: MODEL_NAME_PATTERN }),
  version: Type.String({ pattern: '^[A-Za-z0-9_-]{1,50}$', description: 'a number or an alias' }),
});
export const TimeoutHeaders = Type.Object({
  [TIMEOUT_HEADER]: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TIMEOUT_MS })),
});
