// HTTP routes of the tenancy module: tenants, keys, limits, audit log.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ApiKeySchema,
  AuditEntrySchema,
  CreatedKeySchema,
  CreatedScopedKeySchema,
  CreateKeySchema,
  CreateScopedKeySchema,
  CreateTenantSchema,
  ERROR_RESPONSES,
  PageQuerySchema,
  ProblemSchema,
  RateLimitsSchema,
  TenantIdSchema,
  TenantSchema,
  TenantSettingsPatchSchema,
} from '@quiver/contracts';
import { Type } from 'typebox';
// Straight from the idempotency folder: http/index.ts also holds auth, which imports tenancy.
import { answerInTx } from '../../http/idempotency/index.ts';
import type { TenancyService } from './service.ts';

const errors = ERROR_RESPONSES;
const TenantParams = Type.Object({ tenantId: TenantIdSchema });
const tenantAdmin = { operator: true, scope: 'admin', tenantParam: 'tenantId' } as const;
const page = <T extends Parameters<typeof Type.Array>[0]>(name: string, item: T) =>
  Type.Object({ [name]: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const tenancyRoutes =
  (tenancy: TenancyService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.post(
      '/v1/tenants',
      {
        config: { access: { operator: true } },
        schema: {
          tags: ['tenancy'],
          summary: 'Create a tenant (operator)',
          body: CreateTenantSchema,
          response: { 201: TenantSchema, 409: ProblemSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await tenancy.createTenant(request.principal!, request.body, answerInTx(reply, 201))),
    );

    app.get(
      '/v1/tenants',
      {
        config: { access: { operator: true } },
        schema: {
          tags: ['tenancy'],
          summary: 'List tenants (operator)',
          querystring: PageQuerySchema,
          response: { 200: page('tenants', TenantSchema), ...errors },
        },
      },
      async (request) => {
        const { rows, nextCursor } = await tenancy.listTenants(
          request.query.limit ?? 50,
          request.query.cursor,
        );
        return { tenants: rows, nextCursor };
      },
    );

    app.get(
      '/v1/tenants/:tenantId',
      {
        config: { access: tenantAdmin },
        schema: {
          tags: ['tenancy'],
          summary: 'Read a tenant',
          params: TenantParams,
          response: { 200: TenantSchema, ...errors },
        },
      },
      async (request) => tenancy.getTenant(request.params.tenantId),
    );

    app.put(
      '/v1/tenants/:tenantId/limits',
      {
        config: { access: { operator: true } },
        schema: {
          tags: ['tenancy'],
          summary: "Set a tenant's rate limits (operator)",
          params: TenantParams,
          body: RateLimitsSchema,
          response: { 200: TenantSchema, ...errors },
        },
      },
      async (request) => tenancy.setLimits(request.principal!, request.params.tenantId, request.body),
    );

    app.patch(
      '/v1/tenants/:tenantId/settings',
      {
        config: { access: tenantAdmin },
        schema: {
          tags: ['tenancy'],
          summary:
            "Change some of a tenant's settings (`vectors`: vector retrieval on or off; `searchExploration`: the share of explored first pages)",
          params: TenantParams,
          body: TenantSettingsPatchSchema,
          response: { 200: TenantSchema, ...errors },
        },
      },
      async (request) => tenancy.setSettings(request.principal!, request.params.tenantId, request.body),
    );

    app.post(
      '/v1/tenants/:tenantId/keys',
      {
        config: { access: tenantAdmin },
        schema: {
          tags: ['tenancy'],
          summary: 'Create an API key; the secret is shown this once',
          params: TenantParams,
          body: CreateKeySchema,
          response: { 201: CreatedKeySchema, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await tenancy.createKey(
              request.principal!,
              request.params.tenantId,
              request.body,
              answerInTx(reply, 201),
            ),
          ),
    );

    app.post(
      '/v1/tenants/:tenantId/keys/scoped',
      {
        config: { access: tenantAdmin },
        schema: {
          tags: ['tenancy'],
          summary: 'Mint a short-lived scoped key for browsers: search/recommend only, with embedded filters',
          params: TenantParams,
          body: CreateScopedKeySchema,
          response: { 201: CreatedScopedKeySchema, ...errors },
        },
      },
      async (request, reply) =>
        reply
          .code(201)
          .send(await tenancy.createScopedKey(request.principal!, request.params.tenantId, request.body)),
    );

    app.post(
      '/v1/tenants/:tenantId/keys/scoped/rotate',
      {
        config: { access: tenantAdmin },
        schema: {
          tags: ['tenancy'],
          summary:
            "Replace the tenant's scoped-key signing secret: every scoped key minted so far stops working",
          params: TenantParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await tenancy.rotateScopedKeys(request.principal!, request.params.tenantId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/tenants/:tenantId/keys',
      {
        config: { access: tenantAdmin },
        schema: {
          tags: ['tenancy'],
          summary: 'List API keys (never their secrets)',
          params: TenantParams,
          querystring: PageQuerySchema,
          response: { 200: page('keys', ApiKeySchema), ...errors },
        },
      },
      async (request) => {
        const { rows, nextCursor } = await tenancy.listKeys(
          request.params.tenantId,
          request.query.limit ?? 50,
          request.query.cursor,
        );
        return { keys: rows, nextCursor };
      },
    );

    app.delete(
      '/v1/tenants/:tenantId/keys/:keyId',
      {
        config: { access: tenantAdmin },
        schema: {
          tags: ['tenancy'],
          summary: 'Revoke an API key at once',
          params: Type.Object({ tenantId: TenantIdSchema, keyId: Type.String({ maxLength: 100 }) }),
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        await tenancy.revokeKey(request.principal!, request.params.tenantId, request.params.keyId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/audit',
      {
        config: { access: { operator: true } },
        schema: {
          tags: ['tenancy'],
          summary: 'Read the audit log of tenant and key changes (operator)',
          querystring: Type.Object(
            { ...PageQuerySchema.properties, tenantId: Type.Optional(TenantIdSchema) },
            { additionalProperties: false },
          ),
          response: { 200: page('entries', AuditEntrySchema), ...errors },
        },
      },
      async (request) => {
        const { rows, nextCursor } = await tenancy.listAudit(
          request.query.tenantId,
          request.query.limit ?? 50,
          request.query.cursor,
        );
        return { entries: rows, nextCursor };
      },
    );
  };
