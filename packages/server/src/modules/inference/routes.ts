// The Open Inference Protocol (KServe V2) REST routes under /v2, with their own `{"error"}` error handler.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { answerFor, tenantOf } from '../../http/index.ts';
import { binaryOf, registerInferBodyParsers } from './body.ts';
import { inferBodyStream } from './body-stream.ts';
import { handleOipError, sendOipError } from './errors.ts';
import { registerExtensionRoutes } from './extension-routes.ts';
import { sendInferAnswer } from './respond.ts';
import {
  type InferRequestBody,
  InferRequestSchema,
  InferResponseSchema,
  ModelMetadataSchema,
  ModelParams,
  ModelReadySchema,
  OipErrorSchema,
  ServerMetadataSchema,
  TIMEOUT_HEADER,
  TimeoutHeaders,
  VersionParams,
} from './schemas.ts';
import type { InferenceService } from './service.ts';

const infer = { access: { scope: 'infer' as const } };
/** Inference is a read: Idempotency-Key means nothing to it (and could not fingerprint binary bodies). */
const inferPost = { ...infer, idempotent: false };
const health = { access: { public: true } };
const errors = { 400: OipErrorSchema, 401: OipErrorSchema, 403: OipErrorSchema, 404: OipErrorSchema };
const busy = { 429: OipErrorSchema, 503: OipErrorSchema, 504: OipErrorSchema };
const tags = ['inference'];

const callOptions = (request: { headers: FastifyRequest['headers']; body: InferRequestBody }) => ({
  timeoutMs: request.headers[TIMEOUT_HEADER] as number | undefined,
  binary: binaryOf(request.body),
  // The answer is written by sendInferAnswer alone.
  wire: true,
});

/** Body limit of /v2 infer requests after decompression: binary tensors are large (config inferBodyLimitBytes). */
export const DEFAULT_INFER_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export interface InferenceRoutesOptions {
  bodyLimitBytes?: number;
}

export const inferenceRoutes =
  (service: InferenceService, options: InferenceRoutesOptions = {}): FastifyPluginAsyncTypebox =>
  async (root) => {
    await root.register(v2Routes(service, options.bodyLimitBytes ?? DEFAULT_INFER_BODY_LIMIT_BYTES), {
      prefix: '/v2',
    });
  };

/** Registered under the /v2 prefix: the error and not-found handlers set here apply to /v2 only. */
const v2Routes =
  (service: InferenceService, bodyLimit: number): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.setErrorHandler(handleOipError);
    registerInferBodyParsers(app);
    app.setNotFoundHandler((request, reply) =>
      sendOipError(
        reply,
        answerFor('route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
      ),
    );

    const Live = Type.Object({ live: Type.Boolean() });
    const Ready = Type.Object({ ready: Type.Boolean() });
    app.get(
      '/health/live',
      { config: health, logLevel: 'warn', schema: { tags, response: { 200: Live } } },
      async () => ({ live: true }),
    );
    app.get(
      '/health/ready',
      { config: health, logLevel: 'warn', schema: { tags, response: { 200: Ready, 503: Ready } } },
      async (_, reply) =>
        service.ready() ? { ready: true } : reply.code(503).header('retry-after', '1').send({ ready: false }),
    );
    app.get(
      '/',
      {
        config: infer,
        schema: { tags, summary: 'Server metadata', response: { 200: ServerMetadataSchema } },
      },
      async () => service.server(),
    );

    registerExtensionRoutes(app, service);

    const metadata = { tags, summary: 'Model metadata: versions, platform, inputs, outputs' };
    const metadataResponse = { 200: ModelMetadataSchema, ...errors };
    app.get(
      '/models/:name',
      { config: infer, schema: { ...metadata, params: ModelParams, response: metadataResponse } },
      async (request) => service.metadata(tenantOf(request), request.params.name),
    );
    app.get(
      '/models/:name/versions/:version',
      { config: infer, schema: { ...metadata, params: VersionParams, response: metadataResponse } },
      async (request) => service.metadata(tenantOf(request), request.params.name, request.params.version),
    );

    const ready = async (reply: FastifyReply, answer: Promise<{ name: string; ready: boolean }>) => {
      const state = await answer;
      return state.ready ? state : reply.code(503).header('retry-after', '1').send(state);
    };
    const readySchema = {
      tags,
      summary: `Whether the version is loaded and warm: asking loads it and waits (up to ${TIMEOUT_HEADER}, default 30 s); 503 if it is still loading`,
      headers: TimeoutHeaders,
      response: { 200: ModelReadySchema, 503: ModelReadySchema, ...errors, 422: OipErrorSchema },
    };
    app.get(
      '/models/:name/ready',
      { config: infer, schema: { ...readySchema, params: ModelParams } },
      async (request, reply) =>
        ready(
          reply,
          service.modelReady(tenantOf(request), request.params.name, undefined, {
            timeoutMs: request.headers[TIMEOUT_HEADER],
          }),
        ),
    );
    app.get(
      '/models/:name/versions/:version/ready',
      { config: infer, schema: { ...readySchema, params: VersionParams } },
      async (request, reply) =>
        ready(
          reply,
          service.modelReady(tenantOf(request), request.params.name, request.params.version, {
            timeoutMs: request.headers[TIMEOUT_HEADER],
          }),
        ),
    );

    const inferSchema = {
      tags,
      summary: `Run the model; deadline from the ${TIMEOUT_HEADER} header or parameters.timeout_ms`,
      headers: TimeoutHeaders,
      body: InferRequestSchema,
      response: { 200: InferResponseSchema, ...errors, ...busy },
    };
    // Infer bodies: their own limit, gzip/deflate decoded and bounded, over-limit bodies read before the 413.
    const body = { bodyLimit, preParsing: inferBodyStream };
    app.post(
      '/models/:name/infer',
      { config: inferPost, ...body, schema: { ...inferSchema, params: ModelParams } },
      async (request, reply) =>
        sendInferAnswer(
          reply,
          await service.infer(
            tenantOf(request),
            request.params.name,
            undefined,
            request.body,
            callOptions(request),
          ),
        ),
    );
    app.post(
      '/models/:name/versions/:version/infer',
      { config: inferPost, ...body, schema: { ...inferSchema, params: VersionParams } },
      async (request, reply) =>
        sendInferAnswer(
          reply,
          await service.infer(
            tenantOf(request),
            request.params.name,
            request.params.version,
            request.body,
            callOptions(request),
          ),
        ),
    );
  };
