// Resolving requested features (`view:feature` references) against a tenant's views, and the entity
// columns a request must then carry.
import type { FeatureVector } from '@quiver/contracts';
import { type FieldError, QuiverError } from '../../kernel/index.ts';
import { type FeatureDef, featureDefs, type ViewDef } from './definitions.ts';

export interface Selected {
  ref: string;
  view: ViewDef;
  feature: FeatureDef;
}

export type EntityColumn = 'userId' | 'itemId';

/** The views' entity columns, for looking up each row. */
export const columnsOf = (view: ViewDef): EntityColumn[] =>
  view.spec.entity === 'user' ? ['userId'] : view.spec.entity === 'item' ? ['itemId'] : ['userId', 'itemId'];

export const selectFeatures = (
  views: ReadonlyMap<string, ViewDef>,
  refs: readonly string[],
  path: string,
) => {
  const errors: FieldError[] = [];
  const selected: Selected[] = [];
  refs.forEach((ref, i) => {
    const at = ref.indexOf(':');
    const view = views.get(ref.slice(0, at));
    const feature = view && featureDefs(view.spec).get(ref.slice(at + 1));
    if (!view) errors.push({ path: `${path}/${i}`, message: `no feature view '${ref.slice(0, at)}'` });
    else if (!feature)
      errors.push({
        path: `${path}/${i}`,
        message: `view '${view.name}' has no feature '${ref.slice(at + 1)}'`,
      });
    else selected.push({ ref, view, feature });
  });
  if (errors.length > 0) throw new QuiverError('validation_failed', 'Unknown features requested', { errors });
  return selected;
};

/** The entity columns the selected features need, in a fixed order. */
export const neededColumns = (selected: readonly Selected[]): EntityColumn[] => {
  const needed = new Set(selected.flatMap((s) => columnsOf(s.view)));
  return (['userId', 'itemId'] as const).filter((c) => needed.has(c));
};

/** Checks that the needed columns are present, equally long; returns the row count. */
export const checkColumns = (
  columns: Partial<Record<EntityColumn, readonly string[]>>,
  needed: readonly EntityColumn[],
  path: string,
): number => {
  const errors: FieldError[] = [];
  for (const c of needed)
    if (!columns[c]) errors.push({ path: `${path}/${c}`, message: 'is required by the features requested' });
  const lengths = new Set(Object.values(columns).map((v) => v?.length));
  if (lengths.size > 1) errors.push({ path, message: 'entity columns must have the same length' });
  if (errors.length > 0)
    throw new QuiverError('validation_failed', 'The entities do not fit the features', { errors });
  return [...lengths][0] ?? 0;
};

/** A column that echoes entity values (Feast puts entity columns first). */
export const entityVector = (values: readonly unknown[]): FeatureVector => ({
  values: [...values],
  statuses: values.map(() => 'PRESENT'),
  eventTimestamps: values.map(() => null),
});

export const emptyVector = (rows: number): FeatureVector => ({
  values: new Array(rows).fill(null),
  statuses: new Array(rows).fill('NOT_FOUND'),
  eventTimestamps: new Array(rows).fill(null),
});
