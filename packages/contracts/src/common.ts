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

/**
 * An integer in a query string or path: bounded on both sides, so `1e400` (Infinity), fractions and values
 * past 2^53 are a 400 naming the parameter. Every numeric query parameter uses it.
 */
export const QueryInteger = (options: {
  minimum: number;
  maximum?: number;
  default?: number;
  description?: string;
}) => Type.Integer({ ...options, maximum: options.maximum ?? Number.MAX_SAFE_INTEGER });

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 50;

export const PageQuerySchema = Type.Object(
  {
    limit: Type.Optional(QueryInteger({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
    cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuerySchema>;

export const MAX_ID_LENGTH = 200;
/**
 * The one grammar of client-chosen ids (items, events, users, sessions, entity ids): 1-200 characters,
 * none a control character (C0, DEL, C1) or a lone surrogate, no whitespace at either end. Every backend
 * (SQLite, PostgreSQL, NATS headers) can hold such an id as it is. Narrower names (tenants, models, aliases,
 * features) are subsets of it.
 */
export const ID_PATTERN = `^(?!\\s)[^\\x00-\\x1f\\x7f-\\x9f\\ud800-\\udfff]{1,${MAX_ID_LENGTH}}(?<!\\s)$`;
export const TENANT_ID_PATTERN = '^[a-z0-9][a-z0-9-]{1,62}$';

export const IdSchema = Type.String({
  pattern: ID_PATTERN,
  description: `Client-chosen id: 1-${MAX_ID_LENGTH} characters, no control characters, no whitespace at the ends`,
});
/** Free text (titles, descriptions, names): any characters except C0 controls other than tab, LF and CR. */
export const TEXT_PATTERN = '^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]*$';
export const Text = (options: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...options, pattern: TEXT_PATTERN });
export const TenantIdSchema = Type.String({
  pattern: TENANT_ID_PATTERN,
  description: 'lowercase letters, digits, -',
});
export const TimestampSchema = Type.String({ format: 'date-time' });
