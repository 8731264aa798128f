// The one configuration schema: every setting, its environment variable and its default.
import { type Static, Type } from 'typebox';
import { ADAPTERS, acceptedUrls, type Port } from '../adapters/index.ts';
import { ROLE_NAMES } from '../kernel/index.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_BODY_LIMIT_BYTES = 5 * 1024 * 1024;
/** Body limit of the /v2 inference routes (large binary tensors), and of a gRPC request message. */
export const DEFAULT_INFER_BODY_LIMIT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** Estimated memory that loaded model versions may use before the least recently used are evicted. */
export const DEFAULT_MODEL_MEMORY_BUDGET_BYTES = 2 * 1024 ** 3;
/** Model uploads one process reads and validates at once; more answer 503 with Retry-After. */
export const DEFAULT_MODEL_UPLOAD_CONCURRENCY = 2;
/** As the engine's DEFAULT_INLINE_POLICY (engine/placement.ts): a full batch's compute, µs. */
export const DEFAULT_INFERENCE_INLINE_MAX_BATCH_US = 100;
export const DEFAULT_RATE_LIMITS = {
  tenantPerSecond: 2000,
  tenantBurst: 4000,
  keyPerSecond: 1000,
  keyBurst: 2000,
};

/** A URL choosing one of a port's implementations: its scheme must be one the adapter table knows. */
const adapterUrl = (port: Port) => {
  const { adapter } = ADAPTERS[port];
  return Type.Optional(
    Type.String({
      pattern: `^(${Object.keys(adapter.schemes).join('|')})://`,
      description: `${acceptedUrls(adapter)}; none: the embedded implementation`,
    }),
  );
};

export const ConfigSchema = Type.Object(
  {
    role: Type.Enum([...ROLE_NAMES], {
      default: 'all',
      description:
        'all: one process does everything; serve: the API and inference; worker: consumers, trainers, rollouts, schedules',
    }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: DEFAULT_PORT }),
    host: Type.String({ minLength: 1, default: '0.0.0.0' }),
    dataDir: Type.String({ minLength: 1, default: './data' }),
    databaseUrl: adapterUrl('sql'),
    redisUrl: adapterUrl('kv'),
    redisKeyPrefix: Type.String({ minLength: 1, maxLength: 100, default: 'quiver:' }),
    streamUrl: adapterUrl('stream'),
    artifactsUrl: adapterUrl('blob'),
    operatorKey: Type.Optional(Type.String({ minLength: 24, maxLength: 200 })),
    logLevel: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
    bodyLimitBytes: Type.Integer({ minimum: 1024, default: DEFAULT_BODY_LIMIT_BYTES }),
    inferBodyLimitBytes: Type.Integer({
      minimum: 1024,
      default: DEFAULT_INFER_BODY_LIMIT_BYTES,
      description: 'Body limit of /v2 infer requests (after decompression) and of gRPC request messages',
    }),
    grpcPort: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        description: 'Port of the Open Inference Protocol over gRPC (on `host`); unset: no gRPC listener',
      }),
    ),
    shutdownTimeoutMs: Type.Integer({ minimum: 0, default: DEFAULT_SHUTDOWN_TIMEOUT_MS }),
    metricsAccess: Type.Enum(['public', 'operator'], {
      default: 'operator',
      description: '/metrics on the API port requires the operator key, or is open (`public`, an opt-in)',
    }),
    corsOrigins: Type.String({
      default: '',
      pattern: '^\\s*(\\*|https?://[^/\\s,]+(\\s*,\\s*https?://[^/\\s,]+)*)?\\s*$',
      description:
        'Origins allowed to call the browser routes (POST /v1/search, /v1/recommendations) with CORS: ' +
        'a comma-separated list of exact origins, or *; empty (the default) turns CORS off',
    }),
    payloadLog: Type.String({
      default: '',
      pattern: '^\\s*([^=,\\s]+=(0(\\.\\d+)?|1(\\.0*)?)(\\s*,\\s*[^=,\\s]+=(0(\\.\\d+)?|1(\\.0*)?))*)?\\s*$',
      description:
        'Sampled payload logging, opt-in per route: `<route template or path>=<rate 0-1>`, comma-separated ' +
        '(`/v1/search=0.01,/v1/endpoints/home/infer=1`); bodies are logged with secrets and keys redacted',
    }),
    metricsPort: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65535,
        description: 'A separate listener serving /metrics without a key (for a local Prometheus)',
      }),
    ),
    metricsHost: Type.String({
      minLength: 1,
      default: '127.0.0.1',
      description: 'Address of the separate metrics listener',
    }),
    modelMaxBytes: Type.Integer({
      minimum: 1024,
      default: 1024 ** 3,
      description: 'Largest model artifact accepted',
    }),
    modelUploadConcurrency: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: DEFAULT_MODEL_UPLOAD_CONCURRENCY,
      description: 'Model uploads read and validated at once by this process; more answer 503 (Retry-After)',
    }),
    inferenceWorkers: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 256, description: 'Default: one per core' }),
    ),
    inferenceInlineMaxBatchUs: Type.Integer({
      minimum: 0,
      default: DEFAULT_INFERENCE_INLINE_MAX_BATCH_US,
      description:
        'A model version of at most 256 KiB whose full batch measures at most this many µs of compute at load runs on the serving thread; 0: only versions whose metadata asks',
    }),
    demo: Type.Boolean({ default: true, description: 'Load the demo shop into an empty database' }),
    modelMemoryBudgetBytes: Type.Integer({
      minimum: 0,
      default: DEFAULT_MODEL_MEMORY_BUDGET_BYTES,
      description: 'Estimated memory of loaded model versions before the least recently used are evicted',
    }),
    defaultLimits: Type.Object(
      {
        tenantPerSecond: Type.Number({ exclusiveMinimum: 0 }),
        tenantBurst: Type.Integer({ minimum: 1 }),
        keyPerSecond: Type.Number({ exclusiveMinimum: 0 }),
        keyBurst: Type.Integer({ minimum: 1 }),
      },
      { default: DEFAULT_RATE_LIMITS, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

type Setting = Exclude<keyof Config, 'defaultLimits'> | `defaultLimits.${keyof Config['defaultLimits']}`;

/** Environment variable → setting. Values are parsed as JSON where they look like it (numbers, booleans). */
export const ENV_VARS: Record<string, Setting> = {
  QUIVER_ROLE: 'role',
  PORT: 'port',
  HOST: 'host',
  QUIVER_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  QUIVER_REDIS_PREFIX: 'redisKeyPrefix',
  STREAM_URL: 'streamUrl',
  ARTIFACTS_URL: 'artifactsUrl',
  QUIVER_OPERATOR_KEY: 'operatorKey',
  LOG_LEVEL: 'logLevel',
  QUIVER_BODY_LIMIT_BYTES: 'bodyLimitBytes',
  QUIVER_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  QUIVER_INFER_BODY_LIMIT_BYTES: 'inferBodyLimitBytes',
  QUIVER_GRPC_PORT: 'grpcPort',
  QUIVER_DEMO: 'demo',
  QUIVER_MODEL_MAX_BYTES: 'modelMaxBytes',
  QUIVER_MODEL_UPLOAD_CONCURRENCY: 'modelUploadConcurrency',
  QUIVER_INFERENCE_WORKERS: 'inferenceWorkers',
  QUIVER_INFERENCE_INLINE_MAX_BATCH_US: 'inferenceInlineMaxBatchUs',
  QUIVER_METRICS_ACCESS: 'metricsAccess',
  QUIVER_METRICS_PORT: 'metricsPort',
  QUIVER_CORS_ORIGINS: 'corsOrigins',
  QUIVER_PAYLOAD_LOG: 'payloadLog',
  QUIVER_METRICS_HOST: 'metricsHost',
  QUIVER_MODEL_MEMORY_BUDGET_BYTES: 'modelMemoryBudgetBytes',
  QUIVER_TENANT_RATE_PER_S: 'defaultLimits.tenantPerSecond',
  QUIVER_TENANT_RATE_BURST: 'defaultLimits.tenantBurst',
  QUIVER_KEY_RATE_PER_S: 'defaultLimits.keyPerSecond',
  QUIVER_KEY_RATE_BURST: 'defaultLimits.keyBurst',
};
