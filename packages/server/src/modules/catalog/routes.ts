// HTTP routes of the catalog: items (with ETags and preconditions), batch upsert, change feed.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BatchResponseSchema,
  BatchUpsertSchema,
  ChangePageSchema,
  ERROR_RESPONSES,
  IdSchema,
  ItemInputSchema,
  ItemPageSchema,
  ItemSchema,
  MAX_PAGE_SIZE,
  PageQuerySchema,
  ProblemSchema,
  QueryInteger,
} from '@quiver/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { answerInTx, boundedJsonParser, tenantOf } from '../../http/index.ts';
import { notModified } from './etag.ts';
import type { CatalogService, WrittenItem } from './service.ts';

const errors = ERROR_RESPONSES;
const ItemParams = Type.Object({ itemId: IdSchema });
const PreconditionHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 1000 })),
  'if-none-match': Type.Optional(Type.String({ maxLength: 1000 })),
});
const MERGE_PATCH = 'application/merge-patch+json';
const JSON_UTF8 = 'application/json; charset=utf-8';

const preconditions = (request: FastifyRequest) => ({
  ifMatch: request.headers['if-match'],
  ifNoneMatch: request.headers['if-none-match'],
});

const sendWritten = (reply: FastifyReply, written: WrittenItem, status = written.created ? 201 : 200) =>
  reply
    .code(status)
    .header('etag', written.etag)
    .header('location', `/v1/items/${encodeURIComponent(written.item.id)}`)
    .send(written.item);

export const catalogRoutes =
  (catalog: CatalogService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.addContentTypeParser(MERGE_PATCH, { parseAs: 'string' }, boundedJsonParser(app));

    app.put(
      '/v1/items/:itemId',
      {
        config: { access: { scope: 'catalog:write' } },
        schema: {
          tags: ['catalog'],
          summary: 'Create or replace an item (If-Match / If-None-Match: * supported)',
          params: ItemParams,
          headers: PreconditionHeaders,
          body: ItemInputSchema,
          response: { 200: ItemSchema, 201: ItemSchema, 412: ProblemSchema, ...errors },
        },
      },
      async (request, reply) =>
        sendWritten(
          reply,
          await catalog.put(tenantOf(request), request.params.itemId, request.body, preconditions(request)),
        ),
    );

    app.get(
      '/v1/items/:itemId',
      {
        config: { access: { scope: 'catalog:read' } },
        schema: {
          tags: ['catalog'],
          summary: 'Read an item; If-None-Match answers 304 when unchanged',
          params: ItemParams,
          headers: PreconditionHeaders,
          response: { 200: ItemSchema, 304: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const { json, etag, record } = await catalog.read(tenantOf(request), request.params.itemId);
        reply.header('etag', etag);
        if (notModified(record, request.headers['if-none-match'])) return reply.code(304).send(null);
        // Already the response schema's JSON (service.ts, itemJson): a string with a JSON content type is sent
        // as it is (the typed reply expects the object).
        return reply.type(JSON_UTF8).send(json as never);
      },
    );

    app.patch(
      '/v1/items/:itemId',
      {
        config: { access: { scope: 'catalog:write' } },
        schema: {
          tags: ['catalog'],
          summary: 'Update part of an item with a JSON merge patch (RFC 7386); null removes a field',
          params: ItemParams,
          headers: PreconditionHeaders,
          body: Type.Record(Type.String(), Type.Unknown()),
          response: { 200: ItemSchema, 412: ProblemSchema, ...errors },
        },
      },
      async (request, reply) =>
        sendWritten(
          reply,
          await catalog.patch(tenantOf(request), request.params.itemId, request.body, preconditions(request)),
          200,
        ),
    );

    app.delete(
      '/v1/items/:itemId',
      {
        config: { access: { scope: 'catalog:write' } },
        schema: {
          tags: ['catalog'],
          summary: 'Delete an item',
          params: ItemParams,
          headers: PreconditionHeaders,
          response: { 204: Type.Null(), 412: ProblemSchema, ...errors },
        },
      },
      async (request, reply) => {
        await catalog.delete(tenantOf(request), request.params.itemId, preconditions(request));
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/items',
      {
        config: { access: { scope: 'catalog:read' } },
        schema: {
          tags: ['catalog'],
          summary: 'List items in id order, a page at a time',
          querystring: PageQuerySchema,
          response: { 200: ItemPageSchema, ...errors },
        },
      },
      async (request) => catalog.list(tenantOf(request), request.query.limit ?? 50, request.query.cursor),
    );

    app.post(
      '/v1/items/batch',
      {
        config: { access: { scope: 'catalog:write' } },
        schema: {
          tags: ['catalog'],
          summary: 'Upsert up to 1,000 items; each is validated alone and answered by index',
          body: BatchUpsertSchema,
          response: { 200: BatchResponseSchema, ...errors },
        },
      },
      // The answer commits with the batch: a retry after a crash replays it instead of writing again.
      async (request, reply) => catalog.batchUpsert(tenantOf(request), request.body.items, answerInTx(reply)),
    );

    app.get(
      '/v1/changes',
      {
        config: { access: { scope: 'catalog:read' } },
        schema: {
          tags: ['catalog'],
          summary: "Read the tenant's catalog change feed after a sequence number",
          querystring: Type.Object(
            {
              after: Type.Optional(QueryInteger({ minimum: 0, default: 0 })),
              limit: Type.Optional(QueryInteger({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 100 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: ChangePageSchema, ...errors },
        },
      },
      async (request) =>
        catalog.changes(tenantOf(request), request.query.after ?? 0, request.query.limit ?? 100),
    );
  };
