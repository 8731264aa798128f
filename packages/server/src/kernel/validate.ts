// Schema validation outside the request pipeline (batch elements, patched documents), with the same
// Ajv options as request validation so that errors read the same.
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FieldError } from './errors.ts';

export const AJV_OPTIONS = {
  allErrors: true,
  removeAdditional: false,
  useDefaults: true,
  coerceTypes: false,
  strict: false,
} as const;

const withFormats = (a: Ajv): Ajv => {
  (addFormats as unknown as (instance: Ajv) => void)(a);
  return a;
};

/** Bodies are JSON and must carry the right types as sent: no coercion. */
const ajv = withFormats(new Ajv(AJV_OPTIONS));
/** Query strings, paths and headers are text: numbers and booleans in them are coerced. */
const coercingAjv = withFormats(new Ajv({ ...AJV_OPTIONS, coerceTypes: 'array' }));

/** Fastify's validator compiler: strict for bodies, coercing for the other parts. */
export const requestValidatorCompiler = ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
  (httpPart === 'body' ? ajv : coercingAjv).compile(schema);

export const toFieldErrors = (errors: readonly ErrorObject[], prefix = ''): FieldError[] => {
  const out: FieldError[] = [];
  for (const e of errors) {
    let path = prefix + e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path += `/${String((e.params as { additionalProperty: string }).additionalProperty)}`;
      message = 'is not a known field';
    } else if (e.keyword === 'required') {
      path += `/${String((e.params as { missingProperty: string }).missingProperty)}`;
      message = 'is required';
    }
    if (!out.some((o) => o.path === path && o.message === message)) out.push({ path: path || '/', message });
  }
  return out;
};

/** Compiles a schema into a function that returns the field errors of a value (empty when valid). */
export const compileValidator = <T>(schema: object) => {
  const check = ajv.compile<T>(schema);
  return (value: unknown, prefix = ''): { ok: true; value: T } | { ok: false; errors: FieldError[] } =>
    check(value)
      ? { ok: true, value: value as T }
      : { ok: false, errors: toFieldErrors(check.errors ?? [], prefix) };
};
