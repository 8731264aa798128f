// Shared wire shapes: problem details, pagination, identifiers.
import { type Static, Type } from 'typebox';

export const FieldErrorSchema = Type.Object(
  { path: Type.String(), message: Type.String() },
  { additionalProperties: false },
);

/** RFC 9457 problem details with Quiver's stable `code`. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable machine-readable error code' }),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof ProblemSchema>;

/** The problem answers every authenticated /v1 route can give, for route response schemas. */
export const ERROR_RESPONSES = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  429: ProblemSchema,
};

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;

export const PageQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
    cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuerySchema>;

export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:~-]{0,199}$';
export const TENANT_ID_PATTERN = '^[a-z0-9][a-z0-9-]{1,62}$';

export const IdSchema = Type.String({
  pattern: ID_PATTERN,
  description: 'Client-chosen id: letters, digits, . _ : ~ -',
});
export const TenantIdSchema = Type.String({
  pattern: TENANT_ID_PATTERN,
  description: 'lowercase letters, digits, -',
});
export const TimestampSchema = Type.String({ format: 'date-time' });
