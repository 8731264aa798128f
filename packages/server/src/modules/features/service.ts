// The feature store: definitions, the stream consumer that keeps online state, online and point-in-time reads.
import type {
  Entities,
  FeatureService,
  FeatureServiceInput,
  FeaturesResponse,
  FeatureView,
  FeatureViewInput,
  HistoricalFeaturesRequest,
  OnlineFeaturesRequest,
} from '@quiver/contracts';
import type { KvStore } from '../../adapters/kv/index.ts';
import type { SqlDatabase } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import { type Clock, QuiverError } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import { type CatalogCacheOptions, type CatalogReader, createCatalogCache } from './catalog-cache.ts';
import { type ConsumerOptions, type ConsumerStatus, createFeatureConsumer } from './consumer.ts';
import { computeHistorical } from './historical.ts';
import { createHistoryReader, type HistoryOptions } from './history.ts';
import { readOnline } from './online.ts';
import { createPipeline } from './pipeline.ts';
import { checkColumns, entityVector, neededColumns, type Selected, selectFeatures } from './select.ts';
import { createDefinitionStore, toFeatureView } from './store.ts';

export interface FeaturesDeps {
  db: SqlDatabase;
  kv: KvStore;
  stream: Stream;
  catalog: CatalogReader;
  metrics: Metrics;
  clock: Clock;
  /** Told about consumer failures (each is retried). */
  onError?: (error: unknown) => void;
}

export interface FeaturesOptions extends ConsumerOptions {
  catalogCache?: CatalogCacheOptions;
  definitionsCacheTtlMs?: number;
  history?: HistoryOptions;
}

type Selection = Pick<OnlineFeaturesRequest, 'features' | 'featureService'>;

/** What model inference calls: `view:feature` references and entity columns in, Feast-shaped columns out. */
export type GetOnlineFeatures = (
  tenantId: string,
  features: readonly string[],
  entities: Entities,
) => Promise<FeaturesResponse>;

export const createFeaturesService = (deps: FeaturesDeps, options: FeaturesOptions = {}): FeaturesService => {
  const { kv, clock } = deps;
  const store = createDefinitionStore(deps, { cacheTtlMs: options.definitionsCacheTtlMs });
  const catalog = createCatalogCache(deps, options.catalogCache);
  const pipeline = createPipeline({ kv, clock, catalog, views: store.views });
  const consumer = createFeatureConsumer(
    { ...deps, handle: pipeline, onError: deps.onError ?? (() => {}) },
    options,
  );
  const readHistory = createHistoryReader(deps.stream, options.history);
  const lookups = deps.metrics.histogram('feature_lookup_seconds', 'Feature reads, by kind', ['kind']);

  const select = async (tenantId: string, selection: Selection): Promise<Selected[]> => {
    if ((selection.features === undefined) === (selection.featureService === undefined))
      throw new QuiverError('validation_failed', 'Give either `features` or `featureService`', {
        errors: [{ path: '/features', message: 'exactly one of features, featureService is required' }],
      });
    const views = await store.viewMap(tenantId);
    if (selection.features) return selectFeatures(views, selection.features, '/features');
    const service = await store.cachedService(tenantId, selection.featureService!);
    return selectFeatures(views, service.features, '/featureService');
  };

  const respond = (
    columns: [string, unknown[]][],
    selected: readonly Selected[],
    vectors: FeaturesResponse['results'],
  ) => ({
    metadata: { featureNames: [...columns.map(([c]) => c), ...selected.map((s) => s.ref)] },
    results: [...columns.map(([, values]) => entityVector(values)), ...vectors],
  });

  const online = async (
    tenantId: string,
    selection: Selection,
    entities: Entities,
  ): Promise<FeaturesResponse> => {
    const started = performance.now();
    const selected = await select(tenantId, selection);
    const needed = neededColumns(selected);
    const rows = checkColumns(entities, needed, '/entities');
    await consumer.assertServing();
    const vectors = await readOnline({ kv, catalog }, tenantId, selected, entities, rows, clock.now());
    lookups.observe({ kind: 'online' }, (performance.now() - started) / 1000);
    return respond(
      needed.map((c) => [c, [...entities[c]!]]),
      selected,
      vectors,
    );
  };

  const getOnlineFeatures: GetOnlineFeatures = (tenantId, features, entities) =>
    online(tenantId, { features: [...features] }, entities);

  return {
    consumerName: consumer.name,
    start: consumer.start,
    stop: consumer.stop,
    status: consumer.status,

    listViews: async (tenantId: string) => ({
      views: [...(await store.freshViews(tenantId)).values()].map(toFeatureView),
    }),
    getView: async (tenantId: string, name: string) => toFeatureView(await store.view(tenantId, name)),
    async putView(tenantId: string, name: string, input: FeatureViewInput) {
      const { view, created } = await store.putView(tenantId, name, input);
      return { view: toFeatureView(view), created };
    },
    listServices: async (tenantId: string) => ({ services: await store.services(tenantId) }),
    getService: (tenantId: string, name: string) => store.service(tenantId, name),
    putService: (tenantId: string, name: string, input: FeatureServiceInput) =>
      store.putService(tenantId, name, input, async (refs) => {
        selectFeatures(await store.freshViews(tenantId), refs, '/features');
      }),

    online: (tenantId: string, request: OnlineFeaturesRequest) => online(tenantId, request, request.entities),

    /** For model inference: the same read as `POST /v1/features/online`. */
    getOnlineFeatures,

    async historical(tenantId: string, request: HistoricalFeaturesRequest): Promise<FeaturesResponse> {
      const started = performance.now();
      const selected = await select(tenantId, request);
      const needed = neededColumns(selected);
      const rows = request.entityRows;
      rows.forEach((row, i) => {
        for (const c of needed)
          if (row[c] === undefined)
            throw new QuiverError('validation_failed', 'An entity row lacks a needed column', {
              errors: [{ path: `/entityRows/${i}/${c}`, message: 'is required by the features requested' }],
            });
      });
      const types = new Set(selected.flatMap((s) => s.view.spec.source.eventTypes ?? []));
      const events = types.size > 0 ? await readHistory(tenantId, (e) => types.has(e.type)) : [];
      const readsItems = selected.some(
        (s) => s.feature.kind === 'field' || s.feature.agg.kind === 'categoryCounts',
      );
      const itemIds = readsItems ? [...events, ...rows].flatMap((e) => (e.itemId ? [e.itemId] : [])) : [];
      const items = await catalog.items(tenantId, new Set(itemIds));
      const vectors = computeHistorical(selected, {
        events,
        rows: rows.map((r) => ({ userId: r.userId, itemId: r.itemId, asOfMs: Date.parse(r.timestamp) })),
        categoriesOf: (id) => items.get(id)?.categories ?? [],
        items,
      });
      lookups.observe({ kind: 'historical' }, (performance.now() - started) / 1000);
      const columns: [string, unknown[]][] = needed.map((c) => [c, rows.map((r) => r[c])]);
      columns.push(['timestamp', rows.map((r) => r.timestamp)]);
      return respond(columns, selected, vectors);
    },
  };
};

/** Feature definitions, the consumer that keeps online state from the event stream, and feature reads. */
export interface FeaturesService {
  /** The durable stream consumer's name (one per feature state). */
  consumerName: string;
  /** Starts the consumer that applies events to the online state. */
  start(): Promise<void>;
  /** Stops the consumer. */
  stop(): Promise<void>;
  /** Where the consumer is and how far behind. */
  status(): Promise<ConsumerStatus>;
  /** The tenant's feature views, built-in ones included. */
  listViews(tenantId: string): Promise<{ views: FeatureView[] }>;
  /** One view; `not_found` when absent. */
  getView(tenantId: string, name: string): Promise<FeatureView>;
  /** Creates or replaces a view. */
  putView(
    tenantId: string,
    name: string,
    input: FeatureViewInput,
  ): Promise<{ view: FeatureView; created: boolean }>;
  /** The tenant's feature services (named feature lists). */
  listServices(tenantId: string): Promise<{ services: FeatureService[] }>;
  /** One feature service; `not_found` when absent. */
  getService(tenantId: string, name: string): Promise<FeatureService>;
  /** Creates or replaces a feature service. */
  putService(
    tenantId: string,
    name: string,
    input: FeatureServiceInput,
  ): Promise<{ service: FeatureService; created: boolean }>;
  /** `POST /v1/features/online`: current values for the request's entities. */
  online(tenantId: string, request: OnlineFeaturesRequest): Promise<FeaturesResponse>;
  /** For model inference: the same read as `POST /v1/features/online`. */
  getOnlineFeatures: GetOnlineFeatures;
  /** Point-in-time values for training rows, computed from the event log with the same definitions. */
  historical(tenantId: string, request: HistoricalFeaturesRequest): Promise<FeaturesResponse>;
}
