// The one composition root: buildApp(config) wires adapters, modules and HTTP; used by main and by tests.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { type BlobStore, openBlobStore } from './adapters/blob/index.ts';
import { type KvStore, openKv } from './adapters/kv/index.ts';
import { openSqlDatabase, type SqlDatabase } from './adapters/sql/index.ts';
import { openStream, type Stream, streamMigrations } from './adapters/stream/index.ts';
import type { Config } from './config/index.ts';
import {
  clientErrorHandler,
  handleError,
  MAX_PARAM_LENGTH,
  onMaxParamLength,
  parseCorsOrigins,
  registerAuth,
  registerBoundedJson,
  registerCors,
  registerHealth,
  registerMetrics,
  registerOpenApi,
  sendProblem,
  withLocalFallback,
} from './http/index.ts';
import { type Clock, requestValidatorCompiler, sha256Hex, systemClock } from './kernel/index.ts';
import { createMetrics, type Metrics, trackDependency } from './metrics/index.ts';
import {
  catalogMigrations,
  catalogRoutes,
  createCatalogRelay,
  createCatalogService,
} from './modules/catalog/index.ts';
import { type SeedResult, seed } from './modules/demo/index.ts';
import { createEventsService, eventsMigrations, eventsRoutes } from './modules/events/index.ts';
import {
  createFeaturesService,
  type FeaturesService,
  featuresMigrations,
  featuresRoutes,
} from './modules/features/index.ts';
import { idempotencyMigrations, registerIdempotency } from './modules/idempotency/index.ts';
import { createLazyInferenceEngine, type InferenceEngine } from './modules/inference/engine/index.ts';
import {
  createInferenceService,
  type InferenceService,
  inferenceObserver,
  inferenceRoutes,
} from './modules/inference/index.ts';
import { createRecommendService, createSessionTracker, recommendRoutes } from './modules/recommend/index.ts';
import {
  createRegistryService,
  type RegistryService,
  registryMigrations,
  registryRoutes,
} from './modules/registry/index.ts';
import {
  createRoutingService,
  type InferFn,
  type RoutingService,
  routingMigrations,
  routingRoutes,
} from './modules/routing/index.ts';
import {
  createOnnxRanker,
  createSearchService,
  parseFilter,
  type SearchService,
  searchMigrations,
  searchRoutes,
  type VectorRetriever,
} from './modules/search/index.ts';
import { createTenancyService, tenancyMigrations, tenancyRoutes } from './modules/tenancy/index.ts';
import {
  createTrainingService,
  type TrainingService,
  trainingMigrations,
  trainingRoutes,
} from './modules/training/index.ts';
import { createVectorsService, type VectorsService } from './modules/vectors/index.ts';

const EMBEDDED_AUTH_CACHE_TTL_MS = 60_000;
/** Under the data dir: model uploads being validated, one file each, removed once stored or refused. */
const UPLOAD_SPOOL_DIR = 'uploads';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const MIGRATIONS = [
  ...tenancyMigrations,
  ...catalogMigrations,
  ...idempotencyMigrations,
  ...registryMigrations,
  ...streamMigrations,
  ...eventsMigrations,
  ...featuresMigrations,
  ...routingMigrations,
  ...searchMigrations,
  ...trainingMigrations,
];

export interface AppOptions {
  clock?: Clock;
  /** Replaces the database chosen by config (tests share one across app instances). */
  db?: SqlDatabase;
  /** How long an idempotency claim outlives a dead owner (tests shorten it). */
  idempotencyLeaseMs?: number;
  /** Vector retrieval for search (hybrid and vector modes); default: the vectors module; null → keyword only. */
  vectors?: VectorRetriever | null;
  /** How often training schedules and queued runs are looked for (tests shorten it). */
  trainingTickMs?: number;
}

export interface QuiverApp {
  app: FastifyInstance;
  db: SqlDatabase;
  kv: KvStore;
  stream: Stream;
  blobs: BlobStore;
  metrics: Metrics;
  engine: InferenceEngine;
  features: FeaturesService;
  /** Endpoints, shadows, rollouts (tests drive its flush and rollout tick directly). */
  routing: RoutingService;
  search: SearchService;
  registry: RegistryService;
  inference: InferenceService;
  /** Item embeddings in per-tenant HNSW indexes (the search module's vector retriever). */
  vectors: VectorsService;
  /** Recommender training runs and schedules (tests drive its tick directly). */
  training: TrainingService;
  /** What the first start generated (secrets to show once); empty on later starts. */
  seeded: SeedResult;
  /** Turns readiness off before the server closes, so load balancers stop sending traffic. */
  beginDrain(): void;
}

export const buildApp = async (config: Config, options: AppOptions = {}): Promise<QuiverApp> => {
  const clock = options.clock ?? systemClock;
  const db = options.db ?? openSqlDatabase(config.databaseUrl, config.dataDir);
  const kv = openKv(config.redisUrl, { keyPrefix: config.redisKeyPrefix, clock });
  const blobs = openBlobStore(config.artifactsUrl, config.dataDir);
  const metrics = createMetrics();
  const engine = createLazyInferenceEngine(
    { clock, observer: inferenceObserver(metrics) },
    { poolSize: config.inferenceWorkers },
  );
  let draining = false;

  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.secret',
          '*.operatorKey',
        ],
        censor: '[redacted]',
      },
    },
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
    // One id rule for paths and bodies: any valid id fits a path parameter; longer ones get a 414 problem.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH, onMaxParamLength },
    clientErrorHandler,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The API speaks JSON only; a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  registerBoundedJson(app);
  app.setValidatorCompiler(requestValidatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'route_not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await db.migrate(MIGRATIONS);
  const stream = await openStream(config.streamUrl, { db, clock });
  app.addHook('onClose', async () => {
    // Producers and consumers stop first (they write positions), then the stores they write to.
    await training?.close();
    await vectors?.close();
    await relay.close();
    await sessions.stop();
    await routing.close();
    await search.stop();
    await stream.close();
    await engine.close();
    await Promise.allSettled([kv.close(), blobs.close()]);
    await db.close();
  });
  const tenancy = createTenancyService({
    db,
    clock,
    defaultLimits: config.defaultLimits,
    operatorKey: config.operatorKey,
    // Embedded: this process makes every key change, so a cached lookup is invalidated exactly.
    authCacheTtlMs: db.dialect === 'sqlite' ? EMBEDDED_AUTH_CACHE_TTL_MS : 0,
    // Scoped keys embed search filters: checked with the search grammar when minted.
    parseFilters: parseFilter,
  });
  const relay = createCatalogRelay({
    db,
    stream,
    onError: (error, failedPasses) => app.log.warn({ err: error, failedPasses }, 'catalog relay failing'),
    onRecover: (failedPasses) => app.log.info({ failedPasses }, 'catalog relay recovered'),
  });
  const catalog = createCatalogService({ db, clock, onChange: relay.kick });
  const events = createEventsService({ db, stream, clock, metrics });
  const features = createFeaturesService(
    {
      db,
      kv,
      stream,
      catalog,
      metrics,
      clock,
      onError: (err) => app.log.warn({ err }, 'feature consumer failed'),
    },
    // One consumer per feature state: per Redis key prefix, or the in-process store's own.
    { namespace: config.redisUrl ? config.redisKeyPrefix : undefined },
  );
  const registry = createRegistryService({
    db,
    blobs,
    engine,
    clock,
    maxArtifactBytes: config.modelMaxBytes,
    spoolDir: join(config.dataDir, UPLOAD_SPOOL_DIR),
    maxConcurrentUploads: config.modelUploadConcurrency,
  });
  const inference = createInferenceService(
    {
      resolver: registry.resolver,
      engine,
      metrics,
      clock,
      log: app.log,
      draining: () => draining,
      features: features.getOnlineFeatures,
    },
    { memoryBudgetBytes: config.modelMemoryBudgetBytes },
  );
  const vectors: VectorsService = createVectorsService({
    stream,
    catalog,
    registry,
    inference,
    dir: join(config.dataDir, 'vectors'),
    onError: (err) => app.log.warn({ err }, 'vector index update failed'),
  });
  const search = createSearchService(
    {
      db,
      stream,
      catalog,
      clock,
      vectors: options.vectors === null ? undefined : (options.vectors ?? vectors),
      ranker: createOnnxRanker({ registry, inference }),
      features: features.getOnlineFeatures,
      onError: (err) => app.log.warn({ err }, 'search index sync failed'),
    },
    {
      // Indexes live in this process: on a shared JetStream each database's servers get their own consumer.
      consumerName:
        stream.kind === 'jetstream'
          ? `search-${sha256Hex(`${config.databaseUrl}|${config.dataDir}`).slice(0, 16)}`
          : undefined,
    },
  );
  // Endpoints answer JSON (binary outputs, Triton's extension, are a /v2 feature); recommendations read the
  // outputs in process, as views of the engine's arrays.
  const inferBody: InferFn = async (tenantId, model, ref, body, { views, ...call } = {}) =>
    views
      ? inference.inferViews(tenantId, model, ref, body, call)
      : (await inference.infer(tenantId, model, ref, body, call)).body;
  const routing = createRoutingService({
    db,
    stream,
    metrics,
    clock,
    infer: inferBody,
    resolve: registry.resolver.resolve,
    onError: (err, what) => app.log.warn({ err }, what),
  });

  // Recommendations: scenario endpoints (routing) over the search module's items, the feature store's
  // user history and the session tracker's recent items; cold items fall back to the vectors index.
  const sessions = createSessionTracker(
    { stream, kv, clock, onError: (err) => app.log.warn({ err }, 'session tracker failed') },
    { namespace: config.redisUrl ? config.redisKeyPrefix : undefined },
  );
  const recommend = createRecommendService({
    infer: routing.infer,
    inferVersion: (tenantId, model, version, body) => inference.inferViews(tenantId, model, version, body),
    resolve: registry.resolver.resolve,
    items: search,
    features: features.getOnlineFeatures,
    sessions,
    vectors,
  });

  const training = createTrainingService(
    {
      db,
      events,
      registry,
      routing,
      vectors,
      clock,
      onError: (err, what) => app.log.warn({ err }, what),
    },
    { tickMs: options.trainingTickMs },
  );

  if (kv.kind === 'redis')
    trackDependency('redis', kv, {
      metrics,
      log: app.log,
      whenDown: 'rate limits fall back to local buckets, feature reads answer 503',
    });
  registerCors(app, parseCorsOrigins(config.corsOrigins));
  registerAuth(app, { tenancy, rateLimits: withLocalFallback(kv, { clock, metrics }), clock });
  registerIdempotency(app, { db, clock }, { leaseMs: options.idempotencyLeaseMs });
  registerMetrics(app, metrics, { access: config.metricsAccess });
  await registerOpenApi(app);
  registerHealth(app, {
    check: async () => void (await Promise.all([db.ping(), stream.ping()])),
    // Redis down leaves the replica ready: auth and rate limits work without it (see README).
    degraded: () => (kv.available() ? [] : ['redis']),
    draining: () => draining,
  });
  await app.register(tenancyRoutes(tenancy));
  await app.register(catalogRoutes(catalog));
  await app.register(eventsRoutes(events));
  await app.register(featuresRoutes(features));
  await features.start();
  await app.register(registryRoutes(registry, { maxArtifactBytes: config.modelMaxBytes }));
  await app.register(inferenceRoutes(inference));
  await app.register(routingRoutes(routing));
  await routing.start();
  await app.register(searchRoutes(search));
  await search.start();
  // Indexes build in the background from the catalog; a search before its tenant's build waits for it.
  void (async () => {
    for (let cursor: string | undefined; ; ) {
      const page = await tenancy.listTenants(100, cursor);
      await search.warm(page.rows.map((t) => t.id));
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  })().catch((err) => app.log.warn({ err }, 'search index warm-up failed'));
  await vectors.start();
  await app.register(recommendRoutes(recommend));
  await sessions.start();
  await app.register(trainingRoutes(training));
  training.start();

  const seeded = await seed({ tenancy, catalog, dataDir: config.dataDir, loadDemo: config.demo });
  await app.ready();
  return {
    app,
    db,
    kv,
    stream,
    blobs,
    metrics,
    engine,
    features,
    routing,
    search,
    registry,
    inference,
    vectors,
    training,
    seeded,
    beginDrain: () => {
      draining = true;
    },
  };
};
