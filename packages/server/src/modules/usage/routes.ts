// GET /v1/usage (a tenant admin: its own; the operator: any tenant) and GET/PUT /v1/tenants/{id}/quotas.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ERROR_RESPONSES,
  QuotaLimitsSchema,
  TenantIdSchema,
  TenantQuotasSchema,
  UsageQuerySchema,
  UsageReportSchema,
} from '@quiver/contracts';
import { Type } from 'typebox';
import { readerOf } from '../../kernel/index.ts';
import type { UsageService } from './service.ts';

const TenantParams = Type.Object({ tenantId: TenantIdSchema });

export const usageRoutes =
  (usage: UsageService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/v1/usage',
      {
        config: { access: { operator: true, scope: 'admin' } },
        schema: {
          tags: ['usage'],
          summary:
            'Requests by API, events, inference compute, training CPU and stored amounts per tenant, by hour, day or month (UTC); written by every replica every 5 s',
          querystring: UsageQuerySchema,
          response: { 200: UsageReportSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => usage.report(readerOf(request.principal), request.query),
    );

    app.get(
      '/v1/tenants/:tenantId/quotas',
      {
        config: { access: { operator: true, scope: 'admin', tenantParam: 'tenantId' } },
        schema: {
          tags: ['usage'],
          summary: "The tenant's monthly quotas and what it has used this month",
          params: TenantParams,
          response: { 200: TenantQuotasSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => usage.quotas(request.params.tenantId),
    );

    app.put(
      '/v1/tenants/:tenantId/quotas',
      {
        config: { access: { operator: true } },
        schema: {
          tags: ['usage'],
          summary:
            'Set the monthly quotas (null: unlimited); past them events and inference answer 429 quota_exceeded',
          params: TenantParams,
          body: QuotaLimitsSchema,
          response: { 200: TenantQuotasSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => usage.setQuotas(request.params.tenantId, request.body),
    );
  };
