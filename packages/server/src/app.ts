// The one composition root: buildApp(config) wires adapters, modules and HTTP; used by main and by tests.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { BlobStore } from './adapters/blob/index.ts';
import { type AdapterContext, openPort } from './adapters/index.ts';
import type { KvStore } from './adapters/kv/index.ts';
import type { SqlDatabase } from './adapters/sql/index.ts';
import { leaseMigrations } from './adapters/sql/index.ts';
import { type Stream, type StreamStarts, startOnStream, streamMigrations } from './adapters/stream/index.ts';
import type { Config } from './config/index.ts';
import {
  authorizeTenant,
  createServer,
  idempotencyMigrations,
  parseCorsOrigins,
  parsePayloadLog,
  registerAuth,
  registerChangelog,
  registerConsole,
  registerCors,
  registerDeprecation,
  registerHealth,
  registerIdempotency,
  registerMetrics,
  registerOpenApi,
  registerPayloadLog,
  withLocalFallback,
} from './http/index.ts';
import { type Clock, createLifecycle, quietBackgroundLog, ROLES, systemClock } from './kernel/index.ts';
import { createMetrics, type Metrics, trackDependency } from './metrics/index.ts';
import { catalogMigrations, createCatalogModule } from './modules/catalog/index.ts';
import { createDemoModule, type SeedResult } from './modules/demo/index.ts';
import { combineObservers, createEngineModule, type InferenceEngine } from './modules/engine/index.ts';
import { createEventsModule, eventsMigrations } from './modules/events/index.ts';
import { createFeaturesModule, type FeaturesService, featuresMigrations } from './modules/features/index.ts';
import {
  createGrpcServer,
  createInferenceModule,
  type GrpcServer,
  type InferenceService,
  inferenceObserver,
} from './modules/inference/index.ts';
import { createRecommendModule, recommendMigrations } from './modules/recommend/index.ts';
import { createRegistryModule, type RegistryService, registryMigrations } from './modules/registry/index.ts';
import {
  createModelWarmUpModule,
  createRoutingModule,
  type RoutingService,
  routingMigrations,
} from './modules/routing/index.ts';
import {
  createSearchModule,
  parseFilter,
  type SearchService,
  searchMigrations,
  type VectorRetriever,
} from './modules/search/index.ts';
import { createStatsModule, type StatsService, statsMigrations } from './modules/stats/index.ts';
import { createTenancyModule, tenancyMigrations } from './modules/tenancy/index.ts';
import { createTrainingModule, type TrainingService, trainingMigrations } from './modules/training/index.ts';
import { createUsageModule, readLevels, type UsageService, usageMigrations } from './modules/usage/index.ts';
import { createVectorsModule, type VectorsService } from './modules/vectors/index.ts';

/** Under the data dir: model uploads being validated, one file each, removed once stored or refused. */
const UPLOAD_SPOOL_DIR = 'uploads';

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
  ...leaseMigrations,
  ...recommendMigrations,
  ...statsMigrations,
  ...usageMigrations,
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
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: DestinationStream;
  /** Length of a stats window and how often a replica writes its open ones (tests shorten both). */
  stats?: { windowS?: number; flushMs?: number };
  /** The built console's folder served at /console (default: packages/console/dist). */
  consoleDir?: string;
  /** How often usage counters are written and quotas reloaded (tests lengthen it and flush directly). */
  usage?: { flushMs?: number };
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
  /** Recent-window series behind GET /v1/stats/series (tests flush it directly). */
  stats: StatsService;
  /** Per-tenant metering and quotas behind GET /v1/usage (tests flush it directly). */
  usage: UsageService;
  /** What the first start generated (secrets to show once); empty on later starts. */
  seeded: SeedResult;
  /** The bound port of the OIP gRPC listener, when `grpcPort` is set. */
  grpcPort?: number;
  /** Turns readiness off before the server closes, so load balancers stop sending traffic. */
  beginDrain(): void;
  /** Resolves once the start's warm-ups (search indexes, endpoints' models) are done: /readyz can say ready. */
  whenWarm(): Promise<void>;
}

/**
 * Stages, in order: open the adapters, build the modules in dependency order (each line may use the services
 * above it), register the HTTP hooks and each module's routes, start the modules. One onClose hook closes
 * everything in exact reverse order: modules first (producers and consumers stop, as they write positions),
 * then the adapters they write to.
 */
export const buildApp = async (config: Config, options: AppOptions = {}): Promise<QuiverApp> => {
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  const app = createServer(config, { logStream: options.logStream });
  // Modules' background failures repeat while a dependency is down: logged once per run (see failure-run.ts).
  const log = quietBackgroundLog(app.log);
  // The role (QUIVER_ROLE, `quiver serve|worker`) picks the parts of this table that run: module routes and
  // the starts marked 'serving' for `serve`, each module's `work` for `worker`, everything for `all`.
  const life = createLifecycle(ROLES[config.role]);
  // Stream-driven starts still waiting (NATS down at start) stop before anything closes.
  let starts: StreamStarts | undefined;
  let grpc: GrpcServer | undefined;
  app.addHook('onClose', async () => {
    await grpc?.close(config.shutdownTimeoutMs);
    await starts?.stop();
    await life.close();
  });
  let draining = false;

  // 1. Adapters, each chosen by its URL's scheme (adapters/index.ts); the stream's embedded log is in the db.
  const context: AdapterContext = { dataDir: config.dataDir, clock, keyPrefix: config.redisKeyPrefix, log };
  const db = life.open(options.db ?? openPort('sql', config, context));
  const kv = life.open(openPort('kv', config, context));
  const blobs = life.open(openPort('blob', config, context));
  await db.migrate(MIGRATIONS);
  const stream = life.open(await openPort('stream', config, { ...context, db }));
  const platform = { db, kv, stream, blobs, clock, metrics, log };
  // One consumer per feature state and session store: per Redis key prefix, or the in-process store's own.
  const namespace = config.redisUrl ? config.redisKeyPrefix : undefined;

  // 2. Modules, in dependency order: a module is one line; `{ ...platform, x }` names the services it uses.
  const { defaultLimits, operatorKey } = config;
  // Scoped keys embed search filters: checked with the search grammar when minted.
  const tenancy = life.add(
    createTenancyModule({ ...platform, defaultLimits, operatorKey, parseFilters: parseFilter }),
  );
  const usage = life.add(
    createUsageModule(
      {
        ...platform,
        app,
        tenantExists: async (id) => void (await tenancy.getTenant(id)),
        // Called from the first sample on, once every module below is built.
        levels: () => storedLevels(),
      },
      options.usage,
    ),
  );
  // Each request's share of its batch's worker time is its tenant's compute; past the quota, refused.
  const engine = life.add(
    createEngineModule(
      {
        clock,
        observer: combineObservers(inferenceObserver(metrics), {
          onRequest: (e) => usage.count(e.tenant, 'compute_s', e.computeShareSeconds),
        }),
        admit: (tenant) => usage.admit(tenant, 'compute'),
      },
      { poolSize: config.inferenceWorkers, inline: { maxBatchUs: config.inferenceInlineMaxBatchUs } },
    ),
  );
  const catalog = life.add(createCatalogModule(platform));
  const events = life.add(createEventsModule({ ...platform, usage }));
  const features = life.add(createFeaturesModule({ ...platform, catalog }, { namespace }));
  const registry = life.add(
    createRegistryModule({
      ...platform,
      engine,
      maxArtifactBytes: config.modelMaxBytes,
      spoolDir: join(config.dataDir, UPLOAD_SPOOL_DIR),
      maxConcurrentUploads: config.modelUploadConcurrency,
    }),
  );
  const inference = life.add(
    createInferenceModule(
      { ...platform, registry, engine, features, draining: () => draining },
      { memoryBudgetBytes: config.modelMemoryBudgetBytes, bodyLimitBytes: config.inferBodyLimitBytes },
    ),
  );
  const routing = life.add(createRoutingModule({ ...platform, inference, registry }));
  // A serving replica loads its endpoints' models before it reports ready (a worker answers no inference).
  life.add(createModelWarmUpModule({ routing, inference, tenancy, log }), 'serving');
  const vectors = life.add(
    createVectorsModule({
      ...platform,
      catalog,
      registry,
      inference,
      dir: join(config.dataDir, 'vectors'),
      tenantsWithVectors: tenancy.tenantsWithVectors,
    }),
  );
  // A tenant's vectors turned on: its index is built now, ahead of its queries; turned off: dropped.
  tenancy.onSettingsChange((tenantId, settings) => {
    const change = settings.vectors ? vectors.ready(tenantId) : vectors.drop(tenantId);
    change.catch((err) => log.warn({ err, tenantId }, 'vector index change failed'));
  });
  const searchVectors = options.vectors === null ? undefined : (options.vectors ?? vectors);
  // Each serving replica holds its own keyword indexes; a worker reads none (its analytics consumer is `work`).
  const search = life.add(
    createSearchModule(
      { ...platform, catalog, vectors: searchVectors, registry, routing, features, tenancy },
      config,
    ),
    'serving',
  );
  life.add(
    createRecommendModule(
      { ...platform, routing, inference, registry, search, features, vectors },
      { namespace },
    ),
  );
  const training = life.add(
    createTrainingModule(
      { ...platform, events, registry, routing, vectors, usage, search },
      { tickMs: options.trainingTickMs },
    ),
  );
  const { dataDir, demo: loadDemo } = config;
  const demo = life.add(
    createDemoModule({
      ...platform,
      tenancy,
      catalog,
      events,
      training,
      registry,
      routing,
      search,
      dataDir,
      loadDemo,
    }),
  );
  const stats = life.add(createStatsModule({ ...platform, app }, options.stats));
  // Stored amounts per tenant for usage; a replica without a tenant's vector index leaves its count to others.
  const storedLevels = () =>
    readLevels({
      listTenants: (limit, cursor) => tenancy.listTenants(limit, cursor),
      countItems: (id) => catalog.count(id),
      storedBytes: (id) => registry.storedBytes(id),
      vectorCount: (id) => {
        const index = vectors.indexState(id);
        return index.state === 'cold' ? undefined : index.items;
      },
    });

  // 3. HTTP: the app-wide hooks (CORS, auth and rate limits, idempotency), then each module's routes.
  if (kv.kind === 'redis')
    trackDependency('redis', kv, {
      metrics,
      log: app.log,
      whenDown: 'rate limits fall back to local buckets, feature reads answer 503',
    });
  registerCors(app, parseCorsOrigins(config.corsOrigins));
  registerPayloadLog(app, parsePayloadLog(config.payloadLog));
  const auth = { tenancy, rateLimits: withLocalFallback(kv, { clock, metrics }), clock };
  registerAuth(app, auth);
  registerIdempotency(app, { db, clock }, { leaseMs: options.idempotencyLeaseMs });
  registerMetrics(app, metrics, { access: config.metricsAccess });
  registerDeprecation(app);
  await registerOpenApi(app);
  registerChangelog(app);
  registerHealth(app, {
    checks: {
      database: () => db.ping(),
      stream: async () => {
        await stream.ping();
        if (!starts?.started()) throw new Error('the stream consumers have not started yet');
      },
    },
    // Redis down leaves the replica ready: auth and rate limits work without it (see README).
    degraded: () => (kv.available() ? [] : ['redis']),
    draining: () => draining,
    // Unready until the started modules' warm-ups (search indexes, endpoints' models) are done; the demo shop's
    // training is named while the replica already serves.
    warmingUp: () => life.warming(),
    warming: () => demo.warming(),
  });
  registerConsole(app, options.consoleDir);
  for (const routes of life.routes()) await app.register(routes);

  // 4. Start, in build order: now when the stream is open, else once it opens (NATS down at start: the
  // replica serves unready until then); then the first start's credentials and demo shop.
  starts = await startOnStream(stream, life.starts(), (err) =>
    log.warn({ err }, 'starting the stream consumers failed; retrying'),
  );
  const seeded = await demo.seed();
  await app.ready();
  // 5. The OIP over gRPC, on its own port when one is set: the same service and keys as /v2.
  if (config.grpcPort !== undefined) {
    grpc = await createGrpcServer(
      { inference, authorize: (key, scope) => authorizeTenant(auth, key, scope), log: app.log },
      { maxMessageBytes: config.inferBodyLimitBytes },
    );
  }
  const grpcPort = await grpc?.listen(config.grpcPort ?? 0, config.host);
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
    stats,
    usage,
    seeded,
    grpcPort,
    beginDrain: () => {
      draining = true;
    },
    whenWarm: () => life.whenWarm(),
  };
};
