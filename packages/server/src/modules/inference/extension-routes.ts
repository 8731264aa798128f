// Triton's statistics, model configuration and model repository extensions under /v2 (registered inside the
// /v2 plugin, so its `{"error"}` handler and body parsers apply).
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { tenantOf } from '../../http/index.ts';
import { QuiverError } from '../../kernel/index.ts';
import { ModelParams, OipErrorSchema, VersionParams } from './schemas.ts';
import type { InferenceService } from './service.ts';

const read = { access: { scope: 'infer' as const } };
/** Loading and unloading change what the tenant's models hold in memory: the model-writing scope. */
const write = { access: { scope: 'models:write' as const }, idempotent: false };
const tags = ['inference'];
const errors = { 400: OipErrorSchema, 401: OipErrorSchema, 403: OipErrorSchema, 404: OipErrorSchema };
const Open = Type.Object({}, { additionalProperties: true });

/** `ready` of a repository index body (absent, `{}` or `{"ready": bool}`). */
const readyOnly = (body: unknown): boolean => {
  const ready = (body as { ready?: unknown } | undefined)?.ready;
  if (ready === undefined || typeof ready === 'boolean') return ready === true;
  throw new QuiverError('validation_failed', 'ready must be true or false', {
    errors: [{ path: '/ready', message: 'must be a boolean' }],
  });
};

export const registerExtensionRoutes = (app: FastifyInstance, service: InferenceService): void => {
  const stats = {
    tags,
    summary: 'Statistics extension: counts, queue and compute time, batch sizes, per version',
  };
  app.get(
    '/models/stats',
    { config: read, schema: { ...stats, response: { 200: Open, ...errors } } },
    (request) => service.statistics(tenantOf(request)),
  );
  app.get<{ Params: { name: string } }>(
    '/models/:name/stats',
    { config: read, schema: { ...stats, params: ModelParams, response: { 200: Open, ...errors } } },
    (request) => service.statistics(tenantOf(request), request.params.name),
  );
  app.get<{ Params: { name: string; version: string } }>(
    '/models/:name/versions/:version/stats',
    { config: read, schema: { ...stats, params: VersionParams, response: { 200: Open, ...errors } } },
    (request) => service.statistics(tenantOf(request), request.params.name, request.params.version),
  );

  const config = {
    tags,
    summary: 'Model configuration extension: batching, inputs and outputs as Triton has them',
  };
  app.get<{ Params: { name: string } }>(
    '/models/:name/config',
    { config: read, schema: { ...config, params: ModelParams, response: { 200: Open, ...errors } } },
    (request) => service.config(tenantOf(request), request.params.name),
  );
  app.get<{ Params: { name: string; version: string } }>(
    '/models/:name/versions/:version/config',
    { config: read, schema: { ...config, params: VersionParams, response: { 200: Open, ...errors } } },
    (request) => service.config(tenantOf(request), request.params.name, request.params.version),
  );

  app.post(
    '/repository/index',
    {
      config: { ...read, idempotent: false },
      schema: {
        tags,
        summary: "Model repository extension: the tenant's models and their state",
        response: { 200: Type.Array(Open), ...errors },
      },
    },
    (request) => service.repositoryIndex(tenantOf(request), readyOnly(request.body)),
  );
  const loading = { ...errors, 422: OipErrorSchema, 503: OipErrorSchema };
  app.post<{ Params: { name: string } }>(
    '/repository/models/:name/load',
    {
      config: write,
      schema: {
        tags,
        summary: "Loads the model's default version and waits until it is ready",
        params: ModelParams,
        response: { 200: Open, ...loading },
      },
    },
    async (request) => {
      await service.loadModel(tenantOf(request), request.params.name);
      return {};
    },
  );
  app.post<{ Params: { name: string } }>(
    '/repository/models/:name/unload',
    {
      config: write,
      schema: {
        tags,
        summary: 'Unloads every loaded version of the model',
        params: ModelParams,
        response: { 200: Open, ...errors },
      },
    },
    async (request) => {
      await service.unloadModel(tenantOf(request), request.params.name);
      return {};
    },
  );
};
