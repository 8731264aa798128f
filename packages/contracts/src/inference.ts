// Wire shapes of the Open Inference Protocol (KServe V2) REST API under /v2, as TypeBox schemas and their types.
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

export const TensorMetadataSchema = Type.Object({
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
export type ModelReady = Static<typeof ModelReadySchema>;
export type OipError = Static<typeof OipErrorSchema>;
