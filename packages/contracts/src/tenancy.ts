// Wire shapes for tenants, API keys, limits and the audit log.
import { type Static, Type } from 'typebox';
import { TenantIdSchema, Text, TimestampSchema } from './common.ts';

export const SCOPES = [
  'admin',
  'catalog:read',
  'catalog:write',
  'events:write',
  'search',
  'recommend',
  'infer',
  'models:write',
] as const;
export type Scope = (typeof SCOPES)[number];

export const ScopeSchema = Type.Enum([...SCOPES], {
  description: '`admin` grants every other scope within its tenant',
});

export const RateLimitsSchema = Type.Object(
  {
    tenantPerSecond: Type.Number({
      exclusiveMinimum: 0,
      description: 'Sustained requests/s for the whole tenant',
    }),
    tenantBurst: Type.Integer({ minimum: 1, description: 'Bucket size for the whole tenant' }),
    keyPerSecond: Type.Number({ exclusiveMinimum: 0, description: 'Sustained requests/s for each key' }),
    keyBurst: Type.Integer({ minimum: 1, description: 'Bucket size for each key' }),
  },
  { additionalProperties: false },
);
export type RateLimits = Static<typeof RateLimitsSchema>;

export const CreateTenantSchema = Type.Object(
  {
    id: TenantIdSchema,
    name: Text({ minLength: 1, maxLength: 200 }),
    limits: Type.Optional(RateLimitsSchema),
  },
  { additionalProperties: false },
);
export type CreateTenant = Static<typeof CreateTenantSchema>;

export const TenantSchema = Type.Object(
  { id: Type.String(), name: Type.String(), limits: RateLimitsSchema, createdAt: TimestampSchema },
  {},
);
export type Tenant = Static<typeof TenantSchema>;

export const CreateKeySchema = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(ScopeSchema, { minItems: 1, uniqueItems: true }),
    expiresAt: Type.Optional(TimestampSchema),
  },
  { additionalProperties: false },
);
export type CreateKey = Static<typeof CreateKeySchema>;

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    name: Type.String(),
    scopes: Type.Array(ScopeSchema),
    prefix: Type.String({ description: 'The first characters of the secret, to recognise it' }),
    createdAt: TimestampSchema,
    expiresAt: Type.Union([TimestampSchema, Type.Null()]),
    revokedAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  {},
);
export type ApiKey = Static<typeof ApiKeySchema>;

export const CreatedKeySchema = Type.Object(
  {
    key: ApiKeySchema,
    secret: Type.String({ description: 'The bearer token. Shown this once; only its hash is stored.' }),
  },
  {},
);
export type CreatedKey = Static<typeof CreatedKeySchema>;

export const AuditEntrySchema = Type.Object(
  {
    id: Type.Integer(),
    at: TimestampSchema,
    actor: Type.String({ description: '`operator` or `key:<keyId>`' }),
    tenantId: Type.Union([Type.String(), Type.Null()]),
    action: Type.String(),
    target: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown()),
  },
  {},
);
export type AuditEntry = Static<typeof AuditEntrySchema>;
