// HTTP routes of endpoints under /v1/endpoints: definitions, serving, stats, results and rollouts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateRolloutSchema,
  ENDPOINT_NAME_PATTERN,
  EndpointHistorySchema,
  EndpointPageSchema,
  EndpointSchema,
  EndpointStatsSchema,
  ERROR_RESPONSES,
  ExperimentResultsSchema,
  PageQuerySchema,
  ProblemSchema,
  PutEndpointSchema,
  ResultsQuerySchema,
  RolloutSchema,
} from '@quiver/contracts';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { answerInTx, tenantOf } from '../../http/index.ts';
import { decodeCursor, encodeCursor } from '../../kernel/index.ts';
import {
  InferRequestSchema,
  InferResponseSchema,
  stringifyInferResponse,
  TIMEOUT_HEADER,
  TimeoutHeaders,
} from '../inference/index.ts';
import type { RoutingService } from './service.ts';

const write = { access: { scope: 'models:write' as const } };
const read = { access: { scope: 'models:read' as const } };
const call = { access: { scope: 'infer' as const } };
const tags = ['endpoints'];
const errors = ERROR_RESPONSES;
const busy = { 409: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema, 504: ProblemSchema };
const NameParams = Type.Object({ name: Type.String({ pattern: ENDPOINT_NAME_PATTERN }) });
const RolloutParams = Type.Object({
  name: Type.String({ pattern: ENDPOINT_NAME_PATTERN }),
  id: Type.String({ pattern: '^ro_[A-Za-z0-9_-]{1,40}$' }),
});
const StatsQuery = Type.Object(
  { since: Type.Optional(Type.String({ format: 'date-time', description: 'default: 15 minutes ago' })) },
  { additionalProperties: false },
);
const JSON_TYPE = 'application/json; charset=utf-8';

export const routingRoutes =
  (service: RoutingService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.put(
      '/v1/endpoints/:name',
      {
        config: write,
        schema: {
          tags,
          summary: 'Create or replace an endpoint: weighted routes, shadows, fallbacks, sticky unit',
          params: NameParams,
          body: PutEndpointSchema,
          response: { 200: EndpointSchema, 201: EndpointSchema, ...errors, ...busy },
        },
      },
      async (request, reply) => {
        const { endpoint, created } = await service.put(tenantOf(request), request.params.name, request.body);
        return reply.code(created ? 201 : 200).send(endpoint);
      },
    );
    app.get(
      '/v1/endpoints/:name',
      { config: read, schema: { tags, params: NameParams, response: { 200: EndpointSchema, ...errors } } },
      async (request) => service.get(tenantOf(request), request.params.name),
    );
    app.get(
      '/v1/endpoints',
      {
        config: read,
        schema: { tags, querystring: PageQuerySchema, response: { 200: EndpointPageSchema, ...errors } },
      },
      async (request) => {
        const limit = request.query.limit ?? 50;
        const after = request.query.cursor ? String(decodeCursor(request.query.cursor, ['n']).n) : '';
        const page = await service.list(tenantOf(request), after, limit);
        const last = page.endpoints.at(-1);
        return {
          endpoints: page.endpoints,
          nextCursor: page.more && last ? encodeCursor({ n: last.name }) : null,
        };
      },
    );
    app.delete(
      '/v1/endpoints/:name',
      { config: write, schema: { tags, params: NameParams, response: { 204: Type.Null(), ...errors } } },
      async (request, reply) => {
        await service.remove(tenantOf(request), request.params.name);
        return reply.code(204).send(null);
      },
    );
    app.get(
      '/v1/endpoints/:name/history',
      {
        config: read,
        schema: {
          tags,
          summary: 'Every revision of the routes and weights',
          params: NameParams,
          response: { 200: EndpointHistorySchema, ...errors },
        },
      },
      async (request) => service.history(tenantOf(request), request.params.name),
    );

    app.post(
      '/v1/endpoints/:name/infer',
      {
        config: call,
        schema: {
          tags,
          summary:
            'Infer through the endpoint (OIP body; routing unit in parameters.userId/sessionId or the sticky header)',
          params: NameParams,
          headers: TimeoutHeaders,
          body: InferRequestSchema,
          response: { 200: InferResponseSchema, ...errors, ...busy },
        },
      },
      async (request, reply) => {
        const answer = await service.infer(
          tenantOf(request),
          request.params.name,
          request.body,
          request.headers,
          { timeoutMs: request.headers[TIMEOUT_HEADER] },
        );
        return (
          (reply as FastifyReply)
            .header('quiver-model', answer.model)
            .header('quiver-model-version', answer.version)
            .header('quiver-variant', answer.variant)
            .header('quiver-recommendation-id', answer.recommendationId)
            .header('quiver-degraded', String(answer.degraded))
            .type(JSON_TYPE)
            // Written as /v2 writes it (FP32 as the shortest text that reads back to the same float32, 64-bit
            // integers exact, non-finite floats as Triton's tokens): one model answers alike on both paths.
            .send(stringifyInferResponse(answer.body))
        );
      },
    );

    app.get(
      '/v1/endpoints/:name/stats',
      {
        config: read,
        schema: {
          tags,
          summary: 'Per variant requests, errors, latency; per shadow pair divergence; breaker states',
          params: NameParams,
          querystring: StatsQuery,
          response: { 200: EndpointStatsSchema, ...errors },
        },
      },
      async (request) => service.stats(tenantOf(request), request.params.name, request.query.since),
    );
    app.get(
      '/v1/endpoints/:name/results',
      {
        config: read,
        schema: {
          tags,
          summary: 'Experiment results: exposures, conversions, rates and lift with intervals, SRM check',
          params: NameParams,
          querystring: ResultsQuerySchema,
          response: { 200: ExperimentResultsSchema, ...errors },
        },
      },
      async (request) =>
        service.results(tenantOf(request), request.params.name, {
          metric: request.query.metric ?? 'purchase',
          from: request.query.from,
          to: request.query.to,
          confidence: request.query.confidence ?? 0.95,
        }),
    );

    app.post(
      '/v1/endpoints/:name/rollouts',
      {
        config: write,
        schema: {
          tags,
          summary: 'Start a canary rollout of a candidate version, gated by guardrails',
          params: NameParams,
          body: CreateRolloutSchema,
          response: { 201: RolloutSchema, ...errors, ...busy },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await service.createRollout(
              tenantOf(request),
              request.params.name,
              request.body,
              answerInTx(reply, 201),
            ),
          ),
    );
    app.get(
      '/v1/endpoints/:name/rollouts',
      {
        config: read,
        schema: {
          tags,
          params: NameParams,
          response: { 200: Type.Object({ rollouts: Type.Array(RolloutSchema) }), ...errors },
        },
      },
      async (request) => ({ rollouts: await service.rollouts(tenantOf(request), request.params.name) }),
    );
    app.get(
      '/v1/endpoints/:name/rollouts/:id',
      { config: read, schema: { tags, params: RolloutParams, response: { 200: RolloutSchema, ...errors } } },
      async (request) => service.rollout(tenantOf(request), request.params.name, request.params.id),
    );
    for (const action of ['pause', 'resume', 'promote', 'rollback'] as const) {
      app.post(
        `/v1/endpoints/:name/rollouts/:id/${action}`,
        {
          config: write,
          schema: {
            tags,
            summary: `${action} the rollout by hand`,
            params: RolloutParams,
            response: { 200: RolloutSchema, ...errors, ...busy },
          },
        },
        async (request) => service[action](tenantOf(request), request.params.name, request.params.id),
      );
    }
  };
