// Online reads: each requested feature for each entity row, from the KV state the consumer keeps.
import type { FeatureVector } from '@quiver/contracts';
import type { KvStore } from '../../adapters/kv/index.ts';
import type { CatalogCache } from './catalog-cache.ts';
import type { FeatureDef, ViewDef } from './definitions.ts';
import { entityKeyOf, featureKeys } from './keys.ts';
import { decodeTop } from './plan.ts';
import type { EntityColumn, Selected } from './select.ts';
import { catalogValue, iso, rankCounts, statusOf } from './values.ts';
import { bucketStarts, windowRange } from './windows.ts';

export type Columns = Partial<Record<EntityColumn, readonly string[]>>;

const sumHashes = (hashes: readonly Record<string, string>[]): Map<string, number> => {
  const sums = new Map<string, number>();
  for (const h of hashes) for (const [k, v] of Object.entries(h)) sums.set(k, (sums.get(k) ?? 0) + Number(v));
  return sums;
};

const readAggregation = async (
  kv: KvStore,
  base: string,
  def: Extract<FeatureDef, { kind: 'agg' }>,
  meta: Record<string, string>,
  nowMs: number,
): Promise<unknown> => {
  const { agg, window } = def;
  const bucketKeys = () =>
    bucketStarts(nowMs, window!).map((s) => featureKeys.bucket(base, agg.name, window!, s));
  switch (agg.kind) {
    case 'count':
    case 'sum': {
      const { fromMs, toMs } = windowRange(nowMs, window!);
      return kv.sumBuckets(featureKeys.agg(base, agg.name, window), fromMs, toMs);
    }
    case 'distinctCount':
      return sumHashes(await kv.hgetallMany(bucketKeys())).size;
    case 'categoryCounts':
      return rankCounts(sumHashes(await kv.hgetallMany(bucketKeys())));
    case 'lastN': {
      // A push replayed after a crash can repeat an entry: each event counts once.
      const ids = new Set<string>();
      return (await kv.lrange(featureKeys.agg(base, agg.name)))
        .map(decodeTop)
        .filter((e) => !ids.has(e[2]) && ids.add(e[2]))
        .slice(0, agg.n)
        .map((e) => e[3]);
    }
    case 'lastSeen': {
      const ts = meta[`ls:${agg.name}`];
      return ts === undefined ? null : iso(Number(ts));
    }
    case 'copurchase':
      return rankCounts(sumHashes([await kv.hgetall(featureKeys.agg(base, agg.name))]), agg.topK);
  }
};

interface Cell {
  value: unknown;
  status: FeatureVector['statuses'][number];
  ts: string | null;
}

/** One view's features for every row, in the order given. */
const readView = async (
  deps: { kv: KvStore; catalog: CatalogCache },
  tenantId: string,
  view: ViewDef,
  features: readonly FeatureDef[],
  columns: Columns,
  rows: number,
  nowMs: number,
): Promise<Cell[][]> => {
  const ttl = view.spec.ttlSeconds;
  if (view.spec.source.kind === 'catalog') {
    const ids = columns.itemId ?? [];
    const items = await deps.catalog.items(tenantId, ids);
    return features.map((f) =>
      ids.map((id) => {
        const c = catalogValue(items.get(id), f.kind === 'field' ? f.field : '', ttl, nowMs);
        return { value: c.value, status: c.status, ts: c.ts };
      }),
    );
  }
  const bases = Array.from({ length: rows }, (_, r) => {
    const key = entityKeyOf(view.spec.entity, { userId: columns.userId?.[r], itemId: columns.itemId?.[r] });
    return featureKeys.entity(tenantId, view, key ?? '');
  });
  const metas = await deps.kv.hgetallMany(bases.map(featureKeys.meta));
  const statuses = metas.map((m) => statusOf(m.ts === undefined ? undefined : Number(m.ts), ttl, nowMs));
  return Promise.all(
    features.map((f) =>
      Promise.all(
        bases.map(async (base, r): Promise<Cell> => {
          if (statuses[r] !== 'PRESENT' || f.kind !== 'agg')
            return { value: null, status: statuses[r], ts: metas[r].ts ? iso(Number(metas[r].ts)) : null };
          const value = await readAggregation(deps.kv, base, f, metas[r], nowMs);
          return { value, status: 'PRESENT', ts: iso(Number(metas[r].ts)) };
        }),
      ),
    ),
  );
};

/** A column per selected feature, rows in the order of the entity columns. */
export const readOnline = async (
  deps: { kv: KvStore; catalog: CatalogCache },
  tenantId: string,
  selected: readonly Selected[],
  columns: Columns,
  rows: number,
  nowMs: number,
): Promise<FeatureVector[]> => {
  const byView = new Map<string, { view: ViewDef; indexes: number[] }>();
  selected.forEach((s, i) => {
    const group = byView.get(s.view.name) ?? { view: s.view, indexes: [] };
    group.indexes.push(i);
    byView.set(s.view.name, group);
  });
  const out: FeatureVector[] = new Array(selected.length);
  await Promise.all(
    [...byView.values()].map(async ({ view, indexes }) => {
      const cells = await readView(
        deps,
        tenantId,
        view,
        indexes.map((i) => selected[i].feature),
        columns,
        rows,
        nowMs,
      );
      indexes.forEach((i, k) => {
        out[i] = {
          values: cells[k].map((c) => c.value),
          statuses: cells[k].map((c) => c.status),
          eventTimestamps: cells[k].map((c) => c.ts),
        };
      });
    }),
  );
  return out;
};
