// Wire shapes for tenants, API keys, limits and the audit log.
import { type Static, Type } from 'typebox';
import { ID_PATTERN, TenantIdSchema, Text, TimestampSchema } from './common.ts';

export const SCOPES = [
  'admin',
  'catalog:read',
  'catalog:write',
  'events:write',
  'search',
  'recommend',
  'infer',
  'models:write',
  'events:read',
  'models:read',
  'features:read',
] as const;
export type Scope = (typeof SCOPES)[number];

export const ScopeSchema = Type.Enum([...SCOPES], {
  description:
    '`admin` grants every other scope within its tenant; `events:write` also grants `events:read`, `models:write` `models:read`, and `infer` `features:read`',
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

export const TenantSettingsSchema = Type.Object(
  {
    vectors: Type.Boolean({
      description:
        "Vector retrieval for this tenant (off by default: the built-in word-vector encoder adds nothing measurable to hybrid relevance). On: the tenant's vector index is built ahead of queries and kept from the catalog feed; off: vector and hybrid searches use keyword retrieval only and say so in `notices`",
    }),
    searchExploration: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 0.5,
        description:
          "The share of first pages of relevance-ordered searches whose ranks 3–20 are shuffled before the page is cut (0, the default: none). Explored answers say so (`explored`) and their searchId carries it, so the search-ranker trainer learns from items the current ranker keeps off the first page and measures shoppers' position bias on the randomized positions",
      }),
    ),
  },
  { additionalProperties: false },
);
export type TenantSettings = Static<typeof TenantSettingsSchema>;

/** PATCH /v1/tenants/{id}/settings: the settings to change (the others keep their values). */
export const TenantSettingsPatchSchema = Type.Partial(TenantSettingsSchema, {
  additionalProperties: false,
  minProperties: 1,
});
export type TenantSettingsPatch = Static<typeof TenantSettingsPatchSchema>;

export const TenantSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    limits: RateLimitsSchema,
    settings: TenantSettingsSchema,
    createdAt: TimestampSchema,
  },
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

/** What a scoped key may do: never more than search and recommend. */
export const SCOPED_KEY_SCOPES = ['search', 'recommend'] as const satisfies readonly Scope[];
export const MAX_SCOPED_KEY_TTL_S = 86_400;
export const DEFAULT_SCOPED_KEY_TTL_S = 3_600;
const MIN_SCOPED_KEY_TTL_S = 1;

export const CreateScopedKeySchema = Type.Object(
  {
    scopes: Type.Optional(
      Type.Array(Type.Enum([...SCOPED_KEY_SCOPES]), {
        minItems: 1,
        uniqueItems: true,
        description: 'A subset of search, recommend (default: both)',
      }),
    ),
    filters: Type.Optional(
      Type.Unknown({
        description:
          'A search filter tree (the grammar of POST /v1/search `filters`) AND-ed with every request made with the key',
      }),
    ),
    expiresInS: Type.Optional(
      Type.Integer({
        minimum: MIN_SCOPED_KEY_TTL_S,
        maximum: MAX_SCOPED_KEY_TTL_S,
        description: `Lifetime in seconds (default ${DEFAULT_SCOPED_KEY_TTL_S}, at most ${MAX_SCOPED_KEY_TTL_S}); or give expiresAt`,
      }),
    ),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'At most 24 h ahead; or give expiresInS' }),
    ),
    userId: Type.Optional(
      Type.String({
        pattern: ID_PATTERN,
        description: 'Pins personalization to this user: requests may omit userId or repeat it, nothing else',
      }),
    ),
    rateLimit: Type.Optional(
      Type.Object(
        {
          perSecond: Type.Number({ exclusiveMinimum: 0 }),
          burst: Type.Integer({ minimum: 1 }),
        },
        {
          additionalProperties: false,
          description: "This key's own bucket: at most the tenant's per-key limits (above is a 400)",
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CreateScopedKey = Static<typeof CreateScopedKeySchema>;

export const CreatedScopedKeySchema = Type.Object(
  {
    secret: Type.String({
      description: 'The bearer token (`qs_…`); signed, not stored: its payload is readable, not secret',
    }),
    id: Type.String({ description: 'Names the key in logs and rate limits (`sk_…`)' }),
    tenantId: Type.String(),
    scopes: Type.Array(ScopeSchema),
    filters: Type.Union([Type.Unknown(), Type.Null()]),
    userId: Type.Union([Type.String(), Type.Null()]),
    expiresAt: TimestampSchema,
  },
  {},
);
export type CreatedScopedKey = Static<typeof CreatedScopedKeySchema>;
