// The string filter syntax (`brand:Acme && price:<100`), parsed into the JSON filter tree. An error names
// the character position where parsing failed (0-based) in a validation_failed problem.
//
//   expr   := and ('||' and)*          and := term ('&&' term)*
//   term   := '(' expr ')' | field ':' spec
//   spec   := ('<' | '<=' | '>' | '>=' | '=') value | number '..' number | '[' value (',' value)* ']' | value
//   value  := "quoted" | `quoted` | bare (up to a space, ',', ']', ')', '&&' or '||')
//   field  := brand | category | price | available | attributes.<name> | <name> (an attribute)
import type { SearchFilter } from '@quiver/contracts';
import { QuiverError } from '../../kernel/index.ts';

type Scalar = string | number | boolean;
type Op = '<' | '<=' | '>' | '>=' | '=';
const BOUND: Record<Exclude<Op, '='>, 'lt' | 'lte' | 'gt' | 'gte'> = {
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
};
const NUMBER = /^-?\d+(\.\d+)?$/;
const FIELD = /^[A-Za-z0-9_.-]{1,111}$/;

/** Parses `text`; errors are validation_failed at `path` (the request's field) with the position. */
export const parseFilterSyntax = (text: string, path = '/filters'): SearchFilter => {
  let at = 0;
  const fail = (message: string, position = at): never => {
    const where = `position ${position}: ${message}`;
    throw new QuiverError('validation_failed', `Invalid filter at ${where}`, {
      errors: [{ path, message: where }],
    });
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const peek = (s: string) => {
    space();
    return text.startsWith(s, at);
  };
  const eat = (s: string) => {
    if (!peek(s)) return false;
    at += s.length;
    return true;
  };

  /** One value: a quoted string (kept as text) or a bare word (its type read from its form). */
  const value = (): { raw: string; quoted: boolean; start: number } => {
    space();
    const start = at;
    const quote = text[at];
    if (quote === '"' || quote === '`') {
      const end = text.indexOf(quote, at + 1);
      if (end < 0) fail('unterminated quoted value');
      at = end + 1;
      return { raw: text.slice(start + 1, end), quoted: true, start };
    }
    while (
      at < text.length &&
      !/[\s,\])]/.test(text[at]) &&
      !text.startsWith('&&', at) &&
      !text.startsWith('||', at) &&
      !text.startsWith('..', at)
    )
      at++;
    if (at === start) fail('expected a value');
    return { raw: text.slice(start, at), quoted: false, start };
  };
  const number = (v: { raw: string; quoted: boolean; start: number }): number =>
    !v.quoted && NUMBER.test(v.raw) ? Number(v.raw) : fail(`'${v.raw}' is not a number`, v.start);
  const scalar = (v: { raw: string; quoted: boolean }): Scalar => {
    if (v.quoted) return v.raw;
    if (v.raw === 'true' || v.raw === 'false') return v.raw === 'true';
    return NUMBER.test(v.raw) ? Number(v.raw) : v.raw;
  };

  const condition = (field: string, fieldAt: number): SearchFilter => {
    space();
    const op = (['<=', '>=', '<', '>', '='] as const).find((o) => text.startsWith(o, at));
    if (op) at += op.length;
    if (!op && peek('[')) {
      at++;
      const list = [value()];
      while (eat(',')) list.push(value());
      if (!eat(']')) fail("expected ',' or ']'");
      if (field === 'brand') return { brand: list.map((v) => v.raw) };
      if (field === 'price' || field === 'available' || field === 'category')
        fail(`a list of values is not allowed for ${field}`, fieldAt);
      return { or: list.map((v) => ({ attribute: attributeName(field), eq: scalar(v) })) };
    }
    const first = value();
    if (!op && eat('..')) {
      const range = { gte: number(first), lte: number(value()) };
      if (field === 'price') return { price: range };
      if (field === 'brand' || field === 'category' || field === 'available')
        fail(`a range is not allowed for ${field}`, fieldAt);
      return { attribute: attributeName(field), ...range };
    }
    if (op && op !== '=') {
      const bound = { [BOUND[op]]: number(first) };
      if (field === 'price') return { price: bound };
      if (field === 'brand' || field === 'category' || field === 'available')
        fail(`'${op}' is not allowed for ${field}`, fieldAt);
      return { attribute: attributeName(field), ...bound };
    }
    switch (field) {
      case 'brand':
        return { brand: [first.raw] };
      case 'category':
        return { category: first.raw };
      case 'price': {
        const n = number(first);
        return { price: { gte: n, lte: n } };
      }
      case 'available': {
        const v = scalar(first);
        return typeof v === 'boolean' ? { available: v } : fail('must be true or false', first.start);
      }
      default:
        return { attribute: attributeName(field), eq: scalar(first) };
    }
  };
  const attributeName = (field: string) =>
    field.startsWith('attributes.') ? field.slice('attributes.'.length) : field;

  const term = (): SearchFilter => {
    if (eat('(')) {
      const inner = expr();
      if (!eat(')')) fail("expected ')'");
      return inner;
    }
    space();
    const start = at;
    const colon = text.indexOf(':', at);
    const field = colon < 0 ? '' : text.slice(at, colon);
    if (!FIELD.test(field)) fail("expected a condition such as 'brand:Acme'");
    at = colon + 1;
    return condition(field, start);
  };
  const and = (): SearchFilter => {
    const list = [term()];
    while (eat('&&')) list.push(term());
    return list.length === 1 ? list[0] : { and: list };
  };
  const expr = (): SearchFilter => {
    const list = [and()];
    while (eat('||')) list.push(and());
    return list.length === 1 ? list[0] : { or: list };
  };

  if (text.trim() === '') fail('empty filter');
  const tree = expr();
  space();
  if (at < text.length) fail("expected '&&', '||' or the end");
  return tree;
};
