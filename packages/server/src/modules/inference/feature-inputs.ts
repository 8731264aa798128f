// Joins online features into model inputs. A version whose metadata maps inputs to `view:feature`
// references (`featureInputs`) gets those inputs from the feature store, one row per entity id the request
// names in `parameters.entities`; the client sends only the other inputs.
import { type Entities, EntitiesSchema, type FeaturesResponse } from '@quiver/contracts';
import { compileValidator, QuiverError, withSpan } from '../../kernel/index.ts';
import { allocate, type Tensors } from '../engine/index.ts';
import type { ModelVersion } from '../registry/index.ts';

/** What the feature store offers inference (the features module's `getOnlineFeatures`). */
export type FeatureFetcher = (
  tenantId: string,
  features: readonly string[],
  entities: Entities,
) => Promise<FeaturesResponse>;

const NUMERIC = new Set(['FP32', 'FP64', 'INT32', 'INT64']);
const validateEntities = compileValidator<Entities>(EntitiesSchema);

const invalid = (path: string, message: string) =>
  new QuiverError('validation_failed', `${path} ${message}`, { errors: [{ path, message }] });

/** Missing or out-of-TTL values become 0, as a model trained on the same defaults expects. */
const numberOf = (value: unknown, ref: string): number => {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw invalid('/parameters/entities', `feature '${ref}' is not numeric, so it cannot feed a model input`);
};

export const featureTensors = async (
  fetch: FeatureFetcher | undefined,
  version: ModelVersion,
  parameters: Record<string, unknown> | undefined,
): Promise<Tensors> => {
  const mapping = Object.entries(version.metadata.featureInputs ?? {});
  if (mapping.length === 0 || parameters?.entities === undefined) return {};
  if (!fetch) throw new QuiverError('unavailable', 'The feature store is not available');
  const checked = validateEntities(parameters.entities, '/parameters/entities');
  if (!checked.ok)
    throw new QuiverError('validation_failed', 'parameters.entities is invalid', { errors: checked.errors });
  const lengths = new Set(Object.values(checked.value).map((ids) => ids?.length ?? 0));
  if (lengths.size !== 1)
    throw invalid('/parameters/entities', 'must give the same number of ids for each entity');
  const rows = [...lengths][0];
  const refs = [...new Set(mapping.map(([, ref]) => ref))];
  const response = await withSpan(
    'features.lookup',
    { 'quiver.tenant': version.tenantId, 'quiver.features': refs.join(','), 'quiver.rows': rows },
    () => fetch(version.tenantId, refs, checked.value),
  );
  const tensors: Tensors = {};
  for (const [input, ref] of mapping) {
    const spec = version.signature.inputs.find((i) => i.name === input);
    if (
      !spec ||
      !NUMERIC.has(spec.datatype) ||
      spec.shape.length > 2 ||
      (spec.shape.length === 2 && ![1, -1].includes(spec.shape[1]))
    ) {
      throw new QuiverError(
        'unprocessable',
        `input '${input}' cannot take feature '${ref}': it needs a numeric [rows] or [rows, 1] input`,
      );
    }
    const column = response.results[response.metadata.featureNames.indexOf(ref)];
    const data = allocate(spec.datatype, rows);
    column.values.forEach((value, row) => {
      const n = numberOf(value, ref);
      if (data instanceof BigInt64Array) data[row] = BigInt(Math.trunc(n));
      else (data as Float32Array)[row] = n;
    });
    tensors[input] = { datatype: spec.datatype, shape: spec.shape.length === 2 ? [rows, 1] : [rows], data };
  }
  return tensors;
};
