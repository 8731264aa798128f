// Tenants, API keys (scoped keys for browsers included) and the audit log: /v1/tenants, /v1/audit.
import { byCursor, cursorList, type Paginated, paginate } from '../paginate.ts';
import { type CallOptions, path, type Transport } from '../transport.ts';
import type {
  ApiKey,
  ApiKeyPage,
  AuditEntry,
  AuditPage,
  CreatedKey,
  CreatedScopedKey,
  CreateKey,
  CreateScopedKey,
  CreateTenant,
  QuotaLimits,
  RateLimits,
  Tenant,
  TenantPage,
  TenantQuotas,
  TenantSettingsPatch,
  UsageQuery,
  UsageReport,
} from '../types.ts';

export interface PageOptions extends CallOptions {
  /** Page size asked of the server (1–1000). */
  limit?: number;
}

export const tenantsResource = (t: Transport) => ({
  create: (body: CreateTenant, o?: CallOptions) =>
    t.call<Tenant>({ method: 'POST', path: '/v1/tenants', json: body }, o),
  get: (tenantId: string, o?: CallOptions) =>
    t.call<Tenant>({ method: 'GET', path: path`/v1/tenants/${tenantId}` }, o),
  list: (o: PageOptions = {}): Paginated<Tenant, TenantPage> => cursorList(t, '/v1/tenants', 'tenants', o),
  setLimits: (tenantId: string, limits: RateLimits, o?: CallOptions) =>
    t.call<Tenant>({ method: 'PUT', path: path`/v1/tenants/${tenantId}/limits`, json: limits }, o),
  /** Changes some settings (`{vectors: true}`: vector retrieval on, its index built ahead of queries). */
  setSettings: (tenantId: string, settings: TenantSettingsPatch, o?: CallOptions) =>
    t.call<Tenant>(
      {
        method: 'PATCH',
        path: path`/v1/tenants/${tenantId}/settings`,
        json: settings,
        contentType: 'application/json',
      },
      o,
    ),
  /** The monthly quotas (null: unlimited) and what the tenant has used this month. */
  getQuotas: (tenantId: string, o?: CallOptions) =>
    t.call<TenantQuotas>({ method: 'GET', path: path`/v1/tenants/${tenantId}/quotas` }, o),
  /** Operator only. Past a quota, events and inference answer 429 `quota_exceeded` (never retried). */
  setQuotas: (tenantId: string, limits: QuotaLimits, o?: CallOptions) =>
    t.call<TenantQuotas>({ method: 'PUT', path: path`/v1/tenants/${tenantId}/quotas`, json: limits }, o),
});

export const usageResource = (t: Transport) => ({
  /** `GET /v1/usage`: per-tenant usage by hour, day or month (a tenant key: its own; the operator: any). */
  get: (query: UsageQuery = {}, o?: CallOptions) =>
    t.call<UsageReport>({ method: 'GET', path: '/v1/usage', query: { ...query } }, o),
});

export const keysResource = (t: Transport) => ({
  /** The answer holds the secret: it is shown this once. */
  create: (tenantId: string, body: CreateKey, o?: CallOptions) =>
    t.call<CreatedKey>({ method: 'POST', path: path`/v1/tenants/${tenantId}/keys`, json: body }, o),
  list: (tenantId: string, o: PageOptions = {}): Paginated<ApiKey, ApiKeyPage> =>
    cursorList(t, path`/v1/tenants/${tenantId}/keys`, 'keys', o),
  revoke: (tenantId: string, keyId: string, o?: CallOptions) =>
    t.call<void>({ method: 'DELETE', path: path`/v1/tenants/${tenantId}/keys/${keyId}` }, o),
  /** A short-lived browser-safe key (search/recommend only, embedded filters): see `createBrowserClient`. */
  mintScoped: (tenantId: string, body: CreateScopedKey = {}, o?: CallOptions) =>
    t.call<CreatedScopedKey>(
      { method: 'POST', path: path`/v1/tenants/${tenantId}/keys/scoped`, json: body },
      o,
    ),
  /** Ends every scoped key of the tenant at once. */
  rotateScoped: (tenantId: string, o?: CallOptions) =>
    t.call<void>({ method: 'POST', path: path`/v1/tenants/${tenantId}/keys/scoped/rotate` }, o),
});

export const auditResource = (t: Transport) => ({
  list: ({
    limit,
    tenantId,
    ...o
  }: PageOptions & { tenantId?: string } = {}): Paginated<AuditEntry, AuditPage> =>
    paginate(
      (cursor: string | undefined) =>
        t.call<AuditPage>({ method: 'GET', path: '/v1/audit', query: { limit, cursor, tenantId } }, o),
      (page) => page.entries,
      byCursor,
    ),
});
