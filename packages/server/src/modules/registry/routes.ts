// HTTP routes of the model registry under /v1/models.
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ALIAS_PATTERN,
  CreateModelSchema,
  ERROR_RESPONSES,
  MODEL_NAME_PATTERN,
  ModelSchema,
  ModelVersionSchema,
  PageQuerySchema,
  ProblemSchema,
  SetAliasSchema,
} from '@quiver/contracts';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { answerInTx, tenantOf } from '../../http/index.ts';
import { isQuiverError, jsonTooDeep, jsonTooDeepError, QuiverError } from '../../kernel/index.ts';
import { MAX_VERSION } from './refs.ts';
import type { RegistryService, Upload } from './service.ts';

const errors = ERROR_RESPONSES;
const NameParams = Type.Object({ name: Type.String({ pattern: MODEL_NAME_PATTERN }) });
/** `ref` is checked by parseVersionRef (refs.ts), the one grammar every route and /v2 share. */
const VersionParams = Type.Object({
  name: Type.String({ pattern: MODEL_NAME_PATTERN }),
  ref: Type.String({
    maxLength: 50,
    description: `a version number (canonical decimal, 1 to ${MAX_VERSION}) or an alias name`,
  }),
});
const AliasParams = Type.Object({
  name: Type.String({ pattern: MODEL_NAME_PATTERN }),
  alias: Type.String({ pattern: ALIAS_PATTERN }),
});
const access = { access: { scope: 'models:write' as const } };
const read = { access: { scope: 'models:read' as const } };
const METADATA_HEADER = 'quiver-model-metadata';
const MAX_TOKENIZER_BYTES = 50 * 1024 * 1024;
const RAW = 'application/octet-stream';
const MULTIPART = 'multipart/form-data';
/** Room in a multipart body for its framing and the metadata part, above the model and tokenizer limits. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;

/**
 * Refuses an upload by its headers, before a byte of its body is read: a media type other than raw or
 * multipart (415: a JSON body is not a model), or a declared Content-Length that cannot fit (413).
 */
const checkUploadHeaders = (request: FastifyRequest, maxArtifactBytes: number): void => {
  const type = request.headers['content-type']?.split(';')[0].trim().toLowerCase();
  if (type !== RAW && type !== MULTIPART) {
    throw new QuiverError(
      'unsupported_media_type',
      `Upload the model as ${RAW} or ${MULTIPART}, not ${type ? `'${type}'` : 'without a content type'}`,
      { errors: [{ path: '/headers/content-type', message: `must be ${RAW} or ${MULTIPART}` }] },
    );
  }
  const limit =
    type === RAW ? maxArtifactBytes : maxArtifactBytes + MAX_TOKENIZER_BYTES + MULTIPART_OVERHEAD_BYTES;
  const declared = Number(request.headers['content-length']);
  if (declared > limit) {
    throw new QuiverError(
      'payload_too_large',
      `A ${type} model upload is at most ${limit} bytes; this one declares ${declared}`,
      { errors: [{ path: '/headers/content-length', message: `must be at most ${limit}` }] },
    );
  }
};

const parseMetadata = (text: string | undefined, where: string): unknown => {
  if (text === undefined || text === '') return undefined;
  if (jsonTooDeep(text)) throw jsonTooDeepError(`/${where}`);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new QuiverError('malformed_json', `The ${where} is not valid JSON`, {
      cause,
      errors: [{ path: `/${where}`, message: 'is not valid JSON' }],
    });
  }
};

/** The multipart parser's own failures (no boundary, cut short, bad part headers) are the client's: 400. */
const malformedMultipart = (cause: unknown): unknown => {
  if (isQuiverError(cause) || !(cause instanceof Error)) return cause;
  const status = (cause as { statusCode?: number }).statusCode;
  if (status !== undefined && status < 500) return cause;
  return new QuiverError('validation_failed', `The multipart body is malformed: ${cause.message}`, {
    cause,
    errors: [{ path: '/', message: 'is not a complete multipart/form-data body' }],
  });
};

async function* malformedAs400<T>(parts: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = parts[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw malformedMultipart(error);
    }
    if (next.done) return;
    yield next.value;
  }
}

/** Reads a raw or multipart upload; the model part is passed on as a stream, never buffered here. */
const readUpload = async (
  request: FastifyRequest,
  consume: (upload: Upload) => Promise<unknown>,
): Promise<unknown> => {
  if (!request.isMultipart()) {
    const header = request.headers[METADATA_HEADER];
    // Not destroyed when the store stops reading (a 413 mid-body): that would reset the socket before the
    // answer; the answer closes the connection instead (see onSend below).
    const body = request.body;
    return consume({
      artifact:
        body instanceof Readable
          ? { [Symbol.asyncIterator]: () => body.iterator({ destroyOnReturn: false }) }
          : new Uint8Array(),
      metadata: parseMetadata(Array.isArray(header) ? header[0] : header, 'metadata'),
    });
  }
  // Parts are read in order: `metadata` and `tokenizer` (small, read whole) must come before `model`,
  // which streams to the blob store as it arrives.
  let metadata: unknown;
  let tokenizer: Buffer | undefined;
  let result: unknown;
  const parts = request.parts({ limits: { files: 2, fields: 4 } });
  for await (const part of malformedAs400(parts)) {
    if (result !== undefined) {
      if (part.type === 'file') part.file.resume();
      throw new QuiverError(
        'validation_failed',
        "Send the 'metadata' and 'tokenizer' parts before the 'model' part",
        {
          errors: [{ path: `/${part.fieldname}`, message: "must come before the 'model' part" }],
        },
      );
    }
    if (part.type === 'field') {
      if (part.fieldname === 'metadata') metadata = parseMetadata(String(part.value), 'metadata');
    } else if (part.fieldname === 'tokenizer') {
      tokenizer = await part.toBuffer().catch((error: unknown) => {
        throw malformedMultipart(error);
      });
      if (tokenizer.length > MAX_TOKENIZER_BYTES)
        throw new QuiverError('payload_too_large', 'tokenizer.json is too large');
    } else if (part.fieldname === 'model') {
      // A body cut short inside the model part fails the file stream while the blob store reads it.
      result = await consume({ artifact: part.file, metadata, tokenizer }).catch((error: unknown) => {
        const cut = part.file.errored;
        throw cut ? malformedMultipart(cut) : error;
      });
    } else {
      part.file.resume();
    }
  }
  if (result === undefined) {
    throw new QuiverError('validation_failed', "A multipart upload needs a file part named 'model'", {
      errors: [{ path: '/model', message: 'is required' }],
    });
  }
  return result;
};

export const registryRoutes =
  (registry: RegistryService, options: { maxArtifactBytes: number }): FastifyPluginAsyncTypebox =>
  async (app) => {
    // Model artifacts stream through untouched; the spool enforces the size limit while it hashes.
    app.addContentTypeParser(RAW, (_request, payload, done) => done(null, payload));
    await app.register(multipart, { limits: { fileSize: options.maxArtifactBytes } });

    app.post(
      '/v1/models',
      {
        config: access,
        schema: {
          tags: ['models'],
          summary: 'Create a model',
          body: CreateModelSchema,
          response: { 201: ModelSchema, 409: ProblemSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await registry.createModel(tenantOf(request), request.body, answerInTx(reply, 201))),
    );

    app.get(
      '/v1/models',
      {
        config: read,
        schema: {
          tags: ['models'],
          summary: 'List models',
          querystring: PageQuerySchema,
          response: {
            200: Type.Object({
              models: Type.Array(ModelSchema),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...errors,
          },
        },
      },
      async (request) =>
        registry.listModels(tenantOf(request), request.query.limit ?? 50, request.query.cursor),
    );

    app.get(
      '/v1/models/:name',
      {
        config: read,
        schema: {
          tags: ['models'],
          summary: 'Read a model with its aliases',
          params: NameParams,
          response: { 200: ModelSchema, ...errors },
        },
      },
      async (request) => registry.getModel(tenantOf(request), request.params.name),
    );

    app.post(
      '/v1/models/:name/versions',
      {
        config: access,
        schema: {
          tags: ['models'],
          summary:
            'Upload an ONNX artifact as a new immutable version (raw octet-stream, or multipart: metadata, model, tokenizer)',
          description: `Raw uploads may carry the version metadata as JSON in the \`${METADATA_HEADER}\` header. The artifact is validated (it loads and runs on a sample) before it is accepted; the same bytes again answer the existing version with 200.`,
          consumes: [RAW, MULTIPART],
          params: NameParams,
          response: {
            200: ModelVersionSchema,
            201: ModelVersionSchema,
            413: ProblemSchema,
            415: ProblemSchema,
            422: ProblemSchema,
            ...errors,
          },
        },
        // After the app's auth hook: refused before the body is read.
        onRequest: async (request) => checkUploadHeaders(request, options.maxArtifactBytes),
        // An answer sent before the whole body arrived (413, 415, 503…) closes the connection rather than
        // reading the rest of a body that may be gigabytes.
        onSend: async (request, reply) => {
          if (!request.raw.complete) reply.header('connection', 'close');
        },
      },
      async (request, reply) => {
        const tenantId = tenantOf(request);
        const release = registry.takeUploadSlot();
        const { version, created } = (await readUpload(request, (upload) =>
          registry.uploadVersion(tenantId, request.params.name, upload),
        ).finally(release)) as Awaited<ReturnType<RegistryService['uploadVersion']>>;
        return reply
          .code(created ? 201 : 200)
          .header('location', `/v1/models/${request.params.name}/versions/${version.version}`)
          .send(version);
      },
    );

    app.get(
      '/v1/models/:name/versions',
      {
        config: read,
        schema: {
          tags: ['models'],
          summary: 'List versions, newest first',
          params: NameParams,
          response: { 200: Type.Object({ versions: Type.Array(ModelVersionSchema) }), ...errors },
        },
      },
      async (request) => ({
        versions: await registry.listVersions(tenantOf(request), request.params.name),
      }),
    );

    app.get(
      '/v1/models/:name/versions/:ref',
      {
        config: read,
        schema: {
          tags: ['models'],
          summary: 'Read a version by number or alias',
          params: VersionParams,
          response: { 200: ModelVersionSchema, ...errors },
        },
      },
      async (request) => registry.getVersion(tenantOf(request), request.params.name, request.params.ref),
    );

    app.get(
      '/v1/models/:name/versions/:ref/tokenizer',
      {
        config: read,
        schema: { tags: ['models'], summary: "Download a version's tokenizer.json", params: VersionParams },
      },
      async (request, reply) =>
        reply
          .type('application/json')
          .send(await registry.tokenizer(tenantOf(request), request.params.name, request.params.ref)),
    );

    app.delete(
      '/v1/models/:name/versions/:ref',
      {
        config: access,
        schema: {
          tags: ['models'],
          summary: 'Delete a version (by its number) no alias references',
          params: VersionParams,
          response: { 204: Type.Null(), 409: ProblemSchema, ...errors },
        },
      },
      async (request, reply) => {
        await registry.deleteVersion(tenantOf(request), request.params.name, request.params.ref);
        return reply.code(204).send(null);
      },
    );

    app.put(
      '/v1/models/:name/aliases/:alias',
      {
        config: access,
        schema: {
          tags: ['models'],
          summary: 'Point an alias (e.g. champion, challenger) at a version',
          params: AliasParams,
          body: SetAliasSchema,
          response: { 200: ModelSchema, ...errors },
        },
      },
      async (request) =>
        registry.setAlias(tenantOf(request), request.params.name, request.params.alias, request.body.version),
    );

    app.delete(
      '/v1/models/:name/aliases/:alias',
      {
        config: access,
        schema: {
          tags: ['models'],
          summary: 'Remove an alias',
          params: AliasParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await registry.deleteAlias(tenantOf(request), request.params.name, request.params.alias);
        return reply.code(204).send(null);
      },
    );
  };
