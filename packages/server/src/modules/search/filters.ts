// The typed filter tree of a search request: parsed (with problem+json-ready errors) and evaluated on items.
import type { FilterRange, Item, SearchFilter } from '@quiver/contracts';
import { QuiverError } from '../../kernel/index.ts';
import type { Principal } from '../tenancy/index.ts';
import { parseFilterSyntax } from './filter-syntax.ts';

type Scalar = string | number | boolean;
export type Filter = SearchFilter;

const MAX_DEPTH = 4;
const MAX_LEAVES = 64;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const bad = (path: string, message: string): never => {
  throw new QuiverError('validation_failed', `Invalid filter at ${path}: ${message}`, {
    errors: [{ path, message }],
  });
};

const BOUNDS = ['gte', 'lte', 'gt', 'lt'] as const;

/** The bounds present, each a number (absent ones are left out, so trees compare and hash alike). */
const range = (v: Record<string, unknown>, path: string): FilterRange => {
  const out: FilterRange = {};
  for (const k of BOUNDS) {
    if (v[k] === undefined) continue;
    if (!isNum(v[k])) bad(`${path}/${k}`, 'must be a number');
    out[k] = v[k] as number;
  }
  return out;
};
const hasBound = (v: Record<string, unknown>) => BOUNDS.some((k) => v[k] !== undefined);

/**
 * Checks a request's `filters` value (a tree, or the string syntax of filter-syntax.ts) and returns it typed;
 * throws validation_failed naming the bad path (under `root`, the value's own path in the request).
 */
export const parseFilter = (value: unknown, root = '/filters'): Filter => {
  if (typeof value === 'string') value = parseFilterSyntax(value, root);
  let leaves = 0;
  const walk = (v: unknown, path: string, depth: number): Filter => {
    if (!isObject(v)) return bad(path, 'must be an object');
    const keys = Object.keys(v);
    if (depth > MAX_DEPTH) bad(path, `nested deeper than ${MAX_DEPTH} levels`);
    if ('and' in v || 'or' in v) {
      const op = 'and' in v ? 'and' : 'or';
      if (keys.length !== 1) bad(path, `'${op}' must be the only key`);
      const list = v[op];
      if (!Array.isArray(list) || list.length === 0) return bad(`${path}/${op}`, 'must be a non-empty array');
      const children = list.map((c, i) => walk(c, `${path}/${op}/${i}`, depth + 1));
      return op === 'and' ? { and: children } : { or: children };
    }
    if (++leaves > MAX_LEAVES) bad(path, `more than ${MAX_LEAVES} conditions`);
    if ('attribute' in v) {
      if (typeof v.attribute !== 'string' || !/^[A-Za-z0-9_.:-]{1,100}$/.test(v.attribute))
        bad(`${path}/attribute`, 'must be an attribute name');
      for (const k of keys)
        if (!['attribute', 'eq', ...BOUNDS].includes(k)) bad(`${path}/${k}`, 'unknown key');
      if (v.eq !== undefined && !isScalar(v.eq)) bad(`${path}/eq`, 'must be a string, number or boolean');
      if (v.eq === undefined && !hasBound(v)) bad(path, 'needs eq, gte, lte, gt or lt');
      return {
        attribute: v.attribute as string,
        ...(v.eq === undefined ? {} : { eq: v.eq as Scalar }),
        ...range(v, path),
      };
    }
    if (keys.length !== 1) return bad(path, 'a condition has exactly one key');
    const [key] = keys;
    const x = v[key];
    switch (key) {
      case 'category':
        if (typeof x !== 'string' || x.length === 0) bad(`${path}/category`, 'must be a category path');
        return { category: (x as string).replace(/\/+$/, '') };
      case 'brand': {
        const list = typeof x === 'string' ? [x] : x;
        if (!Array.isArray(list) || list.length === 0 || !list.every((b) => typeof b === 'string'))
          return bad(`${path}/brand`, 'must be a string or an array of strings');
        return { brand: list as string[] };
      }
      case 'price':
        if (!isObject(x)) return bad(`${path}/price`, 'must be {gte?, lte?, gt?, lt?}');
        for (const k of Object.keys(x))
          if (!(BOUNDS as readonly string[]).includes(k)) bad(`${path}/price/${k}`, 'unknown key');
        return { price: range(x, `${path}/price`) };
      case 'available':
        if (typeof x !== 'boolean') bad(`${path}/available`, 'must be a boolean');
        return { available: x as boolean };
      default:
        return bad(`${path}/${key}`, 'unknown condition');
    }
  };
  return walk(value, root, 1);
};

const inRange = (n: unknown, r: FilterRange): boolean =>
  isNum(n) &&
  (r.gte === undefined || n >= r.gte) &&
  (r.lte === undefined || n <= r.lte) &&
  (r.gt === undefined || n > r.gt) &&
  (r.lt === undefined || n < r.lt);

/** True when the category path equals the prefix or lies under it (`home` matches `home/lamps`). */
export const underCategory = (path: string, prefix: string): boolean =>
  path === prefix || path.startsWith(`${prefix}/`);

export const matches = (item: Item, f: Filter): boolean => {
  if ('and' in f) return f.and.every((c) => matches(item, c));
  if ('or' in f) return f.or.some((c) => matches(item, c));
  if ('category' in f) return (item.categories ?? []).some((c) => underCategory(c, f.category));
  if ('brand' in f) return item.brand !== undefined && f.brand.includes(item.brand);
  if ('price' in f) return inRange(item.price?.amount, f.price);
  if ('available' in f) return (item.available ?? true) === f.available;
  const value = item.attributes?.[f.attribute];
  if (value === undefined) return false;
  const values = Array.isArray(value) ? value : [value];
  return values.some(
    (v) =>
      (f.eq === undefined || v === f.eq) &&
      (f.gte === undefined && f.lte === undefined && f.gt === undefined && f.lt === undefined
        ? true
        : inRange(v, f)),
  );
};

/**
 * The filter a caller's request runs with: its own `filters` (parsed, 400 with the path) AND the filters
 * embedded in a scoped key. The embedded tree is a sibling under `and`, so no `or` in the request can widen
 * it; limits on depth and leaves apply to the request's own tree only.
 */
export const withEmbeddedFilters = (
  principal: Principal | undefined,
  requestFilters: unknown,
  root = '/filters',
): Filter | undefined => {
  const own = requestFilters === undefined ? undefined : parseFilter(requestFilters, root);
  const embedded = principal?.kind === 'tenant' ? principal.embeddedFilters : undefined;
  if (!embedded) return own;
  return own ? { and: [embedded, own] } : embedded;
};
