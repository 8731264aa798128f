// Validation of one event: the wire schema plus the rules between fields that a schema does not express.
import { EventSchema, ITEM_EVENT_TYPES, type QuiverEvent } from '@quiver/contracts';
import { compileValidator, type FieldError } from '../../kernel/index.ts';

const checkSchema = compileValidator<QuiverEvent>(EventSchema);
const ITEM_TYPES = new Set<string>(ITEM_EVENT_TYPES);

export type EventCheck = { ok: true; value: QuiverEvent } | { ok: false; errors: FieldError[] };

/** Rules by type: item events name their item, searches their query. Checked on any object with a type. */
const ruleErrors = (value: unknown): FieldError[] => {
  if (value === null || typeof value !== 'object') return [];
  const e = value as Partial<Record<keyof QuiverEvent, unknown>>;
  if (typeof e.type !== 'string') return [];
  if (ITEM_TYPES.has(e.type) && e.itemId === undefined)
    return [{ path: '/itemId', message: `is required for '${e.type}' events` }];
  if (e.type === 'search' && e.query === undefined)
    return [{ path: '/query', message: "is required for 'search' events" }];
  return [];
};

/** Checks one element of a batch; every problem is reported, with paths relative to the event. */
export const checkEvent = (value: unknown): EventCheck => {
  const schema = checkSchema(value);
  const rules = ruleErrors(value);
  if (schema.ok && rules.length === 0) return schema;
  const errors = schema.ok ? rules : [...schema.errors, ...rules.filter((r) => !hasPath(schema.errors, r))];
  return { ok: false, errors };
};

const hasPath = (errors: readonly FieldError[], e: FieldError): boolean =>
  errors.some((x) => x.path === e.path);

/** The id of an element if it has a usable one (for reporting), else null. */
export const idOf = (value: unknown): string | null => {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
};
