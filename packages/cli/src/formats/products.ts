// Products from any CSV or JSONL catalog file, by a field mapping given on the command line:
// `--map id=StockCode,title=Description,categories=Category,price=UnitPrice,attributes.colour=Colour`.
// Each record becomes one catalog item (no events).
import type { BatchItem } from '@quiver/contracts';
import { CliError, EXIT } from '../errors.ts';
import { type CsvFormat, type JsonlFormat, type Mapped, money, skip, toId } from './types.ts';

export const PRODUCT_FIELDS = [
  'id',
  'title',
  'description',
  'brand',
  'categories',
  'price',
  'currency',
  'available',
] as const;
type ProductField = (typeof PRODUCT_FIELDS)[number];
const MAX_TITLE = 500;
const MAX_DESCRIPTION = 20_000;
/** Several categories in one field are separated by `|`; path levels by `/` or ` > `. */
const CATEGORY_SEPARATOR = '|';
const TRUE = new Set(['true', '1', 'yes', 'y', 'in stock', 'instock', 'available']);

export interface ProductMapping {
  fields: Partial<Record<ProductField, string>>;
  /** Attribute name → source field. */
  attributes: Record<string, string>;
  /** ISO 4217 code for prices when no `currency` field is mapped. */
  currency: string;
}

/** Parses `target=source,…`; `id` and `title` are required. */
export const parseMapping = (text: string, currency: string): ProductMapping => {
  const mapping: ProductMapping = { fields: {}, attributes: {}, currency };
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    const target = pair.slice(0, eq).trim();
    const source = pair.slice(eq + 1).trim();
    if (eq < 1 || !source) throw new CliError(`--map: '${pair}' is not target=source`, EXIT.usage);
    if (target.startsWith('attributes.') && target.length > 'attributes.'.length)
      mapping.attributes[target.slice('attributes.'.length)] = source;
    else if ((PRODUCT_FIELDS as readonly string[]).includes(target))
      mapping.fields[target as ProductField] = source;
    else
      throw new CliError(
        `--map: unknown target '${target}'; one of ${PRODUCT_FIELDS.join(', ')} or attributes.<name>`,
        EXIT.usage,
      );
  }
  for (const required of ['id', 'title'] as const)
    if (!mapping.fields[required]) throw new CliError(`--map needs ${required}=<source field>`, EXIT.usage);
  return mapping;
};

const categoriesOf = (raw: string): string[] =>
  raw
    .split(CATEGORY_SEPARATOR)
    .map((c) =>
      c
        .split(/\s*>\s*|\//)
        .map((level) => level.trim().toLowerCase())
        .filter(Boolean)
        .join('/'),
    )
    .filter(Boolean)
    .slice(0, 20);

/** One item from a record read as `get(source field) → text`. */
const toItem = (mapping: ProductMapping, get: (field: string) => unknown): Mapped => {
  const text = (target: ProductField): string | undefined => {
    const source = mapping.fields[target];
    const value = source === undefined ? undefined : get(source);
    if (value === undefined || value === null) return undefined;
    const s = String(value).trim();
    return s === '' ? undefined : s;
  };
  const id = text('id');
  const title = text('title');
  if (!id || !title) return skip('no id or title');
  const item: BatchItem = { id: toId(id), title: title.slice(0, MAX_TITLE) };
  const description = text('description');
  if (description) item.description = description.slice(0, MAX_DESCRIPTION);
  const brand = text('brand');
  if (brand) item.brand = brand.slice(0, 200);
  const categories = text('categories');
  if (categories) item.categories = categoriesOf(categories);
  const price = Number(text('price'));
  if (text('price') !== undefined && Number.isFinite(price) && price >= 0)
    item.price = { amount: money(price), currency: (text('currency') ?? mapping.currency).toUpperCase() };
  const available = text('available');
  if (available !== undefined) item.available = TRUE.has(available.toLowerCase());
  const attributes: Record<string, string | number> = {};
  for (const [name, source] of Object.entries(mapping.attributes)) {
    const value = get(source);
    if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== ''))
      attributes[name] = typeof value === 'string' ? value.trim().slice(0, 1000) : value;
  }
  if (Object.keys(attributes).length > 0) item.attributes = attributes;
  return { events: [], items: [item] };
};

/** The CSV flavour: `columns` are the mapped source fields, in the order `map` receives them. */
export const productsCsv = (mapping: ProductMapping): CsvFormat => {
  const columns = [...new Set([...Object.values(mapping.fields), ...Object.values(mapping.attributes)])];
  return {
    name: 'products',
    kind: 'csv',
    columns,
    map: (values) => toItem(mapping, (field) => values[columns.indexOf(field)]),
  };
};

/** The JSONL flavour: source fields are keys of each line's object (`a.b` reads nested keys). */
export const productsJsonl = (mapping: ProductMapping): JsonlFormat => ({
  name: 'products',
  kind: 'jsonl',
  sniff: (value) => typeof value === 'object' && value !== null,
  map: (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return skip('not an object');
    return toItem(mapping, (field) =>
      field
        .split('.')
        .reduce<unknown>(
          (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
          value,
        ),
    );
  },
});
