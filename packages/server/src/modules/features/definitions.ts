// Feature view definitions: the built-in views every tenant has, the rules a custom view must follow, and
// the features a view answers.
import type { Aggregation, FeatureViewInput, FeatureWindow } from '@quiver/contracts';
import { type FieldError, QuiverError } from '../../kernel/index.ts';

export interface ViewDef {
  name: string;
  version: number;
  builtIn: boolean;
  spec: FeatureViewInput;
  createdAt: string | null;
  updatedAt: string | null;
}

/** What one feature of a view reads: an aggregation (in one window, if windowed) or a catalog field. */
export type FeatureDef =
  | { kind: 'agg'; agg: Aggregation; window?: FeatureWindow }
  | { kind: 'field'; field: string };

const ITEM_TYPES = ['view', 'click', 'add_to_cart', 'purchase'];
const ALL_WINDOWS: FeatureWindow[] = ['1h', '24h', '7d', '30d'];
const DAY_S = 86_400;
export const RECENT_ITEMS_N = 50;
export const COPURCHASE_TOP_K = 20;
export const PURCHASED_ITEMS_N = 200;

const builtIn = (name: string, spec: FeatureViewInput): ViewDef => ({
  name,
  version: 1,
  builtIn: true,
  spec,
  createdAt: null,
  updatedAt: null,
});

export const BUILTIN_VIEWS: readonly ViewDef[] = [
  builtIn('item_popularity', {
    description: 'Views and purchases of each item over sliding windows',
    entity: 'item',
    source: { kind: 'events', eventTypes: ['view', 'purchase'] },
    aggregations: [
      { name: 'views', kind: 'count', eventTypes: ['view'], windows: ALL_WINDOWS },
      { name: 'purchases', kind: 'count', eventTypes: ['purchase'], windows: ALL_WINDOWS },
      { name: 'buyers', kind: 'distinctCount', eventTypes: ['purchase'], field: 'userId', windows: ['30d'] },
      { name: 'last_seen', kind: 'lastSeen' },
    ],
    ttlSeconds: 30 * DAY_S,
  }),
  builtIn('user_recent_items', {
    description: `The items of each user's last ${RECENT_ITEMS_N} item events, newest first`,
    entity: 'user',
    source: { kind: 'events', eventTypes: ITEM_TYPES },
    aggregations: [
      { name: 'items', kind: 'lastN', field: 'itemId', n: RECENT_ITEMS_N },
      { name: 'last_seen', kind: 'lastSeen' },
    ],
    ttlSeconds: 30 * DAY_S,
  }),
  builtIn('user_purchased_items', {
    description: `The items of each user's last ${PURCHASED_ITEMS_N} purchases, newest first (recommendations leave them out)`,
    entity: 'user',
    source: { kind: 'events', eventTypes: ['purchase'] },
    aggregations: [{ name: 'items', kind: 'lastN', field: 'itemId', n: PURCHASED_ITEMS_N }],
    ttlSeconds: 365 * DAY_S,
  }),
  builtIn('user_category_affinity', {
    description: "How often each user touched each catalog category (the item's categories)",
    entity: 'user',
    source: { kind: 'events', eventTypes: ITEM_TYPES },
    aggregations: [{ name: 'categories', kind: 'categoryCounts', windows: ['7d', '30d'] }],
    ttlSeconds: 30 * DAY_S,
  }),
  builtIn('item_copurchase', {
    description: `For each item, the ${COPURCHASE_TOP_K} items most often bought in the same session`,
    entity: 'item',
    source: { kind: 'events', eventTypes: ['purchase'] },
    aggregations: [{ name: 'items', kind: 'copurchase', topK: COPURCHASE_TOP_K }],
    ttlSeconds: 90 * DAY_S,
  }),
];

const WINDOWED = new Set(['count', 'sum', 'distinctCount', 'categoryCounts']);

/** The features of a view with what each reads, in declaration order. */
export const featureDefs = (spec: FeatureViewInput): Map<string, FeatureDef> => {
  const out = new Map<string, FeatureDef>();
  if (spec.source.kind === 'catalog') {
    for (const field of spec.source.fields ?? []) out.set(field, { kind: 'field', field });
    return out;
  }
  for (const agg of spec.aggregations ?? []) {
    if (WINDOWED.has(agg.kind)) {
      for (const window of agg.windows ?? []) out.set(`${agg.name}_${window}`, { kind: 'agg', agg, window });
    } else out.set(agg.name, { kind: 'agg', agg });
  }
  return out;
};

const NEEDS: Record<Aggregation['kind'], (keyof Aggregation)[]> = {
  count: ['windows'],
  sum: ['windows', 'field'],
  distinctCount: ['windows', 'field'],
  categoryCounts: ['windows'],
  lastN: ['n'],
  lastSeen: [],
  copurchase: ['topK'],
};
const OPTIONAL = new Set<keyof Aggregation>(['name', 'kind', 'eventTypes']);
const FIELDS_OF: Partial<Record<Aggregation['kind'], string[]>> = {
  sum: ['value', 'quantity'],
  distinctCount: ['userId', 'itemId', 'sessionId', 'query'],
  lastN: ['userId', 'itemId', 'sessionId', 'query'],
};

/** Checks what the schema cannot: which members each kind needs, and how source, entity and names fit. */
export const checkViewSpec = (spec: FeatureViewInput): void => {
  const errors: FieldError[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });
  const aggs = spec.aggregations ?? [];
  if (spec.source.kind === 'catalog') {
    if (!spec.source.fields) err('/source/fields', 'is required for a catalog source');
    if (spec.source.eventTypes) err('/source/eventTypes', 'is only for an events source');
    if (spec.entity !== 'item') err('/entity', "must be 'item' for a catalog source");
    if (aggs.length > 0) err('/aggregations', 'must be empty for a catalog source');
  } else {
    if (!spec.source.eventTypes) err('/source/eventTypes', 'is required for an events source');
    if (spec.source.fields) err('/source/fields', 'is only for a catalog source');
    if (aggs.length === 0) err('/aggregations', 'needs at least one aggregation');
  }
  const names = new Set<string>();
  aggs.forEach((agg, i) => {
    const at = `/aggregations/${i}`;
    if (names.has(agg.name)) err(`${at}/name`, `'${agg.name}' is used twice`);
    names.add(agg.name);
    for (const need of NEEDS[agg.kind])
      if (agg[need] === undefined) err(`${at}/${need}`, `is required for ${agg.kind}`);
    for (const key of Object.keys(agg) as (keyof Aggregation)[]) {
      if (!OPTIONAL.has(key) && !NEEDS[agg.kind].includes(key) && !(key === 'field' && agg.kind === 'lastN'))
        err(`${at}/${key}`, `is not used by ${agg.kind}`);
    }
    const fields = FIELDS_OF[agg.kind];
    if (fields && agg.field !== undefined && !fields.includes(agg.field))
      err(`${at}/field`, `must be one of ${fields.join(', ')} for ${agg.kind}`);
    const outside = agg.eventTypes?.filter((t) => !spec.source.eventTypes?.includes(t)) ?? [];
    if (outside.length > 0)
      err(`${at}/eventTypes`, `are not in the source's event types: ${outside.join(', ')}`);
    if (agg.kind === 'copurchase' && spec.entity !== 'item')
      err(`${at}/kind`, "copurchase needs entity 'item'");
  });
  if (errors.length > 0)
    throw new QuiverError('validation_failed', 'The feature view is invalid', { errors });
};

export const isBuiltIn = (name: string): boolean => BUILTIN_VIEWS.some((v) => v.name === name);
