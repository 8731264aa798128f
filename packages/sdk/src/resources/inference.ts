// The Open Inference Protocol (KServe V2) under /v2: server and model metadata, readiness, infer.
import { type CallOptions, path, type Transport } from '../transport.ts';
import type {
  InferRequest,
  InferResponseBody,
  ModelMetadata,
  ModelReady,
  OipModelConfig,
  OipRepositoryEntry,
  OipStatistics,
  ServerMetadata,
} from '../types.ts';
import type { VersionRef } from './models.ts';

export interface InferOptions extends CallOptions {
  /** A version number or alias; without it the `champion` alias serves, else the latest version. */
  version?: VersionRef;
  /** The server-side deadline (`Quiver-Timeout-Ms`): past it the request never runs (504). */
  deadlineMs?: number;
}

const modelPath = (name: string, version: VersionRef | undefined) =>
  version === undefined ? path`/v2/models/${name}` : path`/v2/models/${name}/versions/${version}`;

const deadline = ({ deadlineMs, version: _v, ...o }: InferOptions) => ({
  o,
  headers: deadlineMs !== undefined ? { 'quiver-timeout-ms': String(deadlineMs) } : undefined,
});

export const inferenceResource = (t: Transport) => ({
  server: (o?: CallOptions) => t.call<ServerMetadata>({ method: 'GET', path: '/v2/' }, o),
  live: (o?: CallOptions) => t.call<{ live: boolean }>({ method: 'GET', path: '/v2/health/live' }, o),
  ready: (o?: CallOptions) => t.call<{ ready: boolean }>({ method: 'GET', path: '/v2/health/ready' }, o),
  model: (name: string, options: InferOptions = {}) =>
    t.call<ModelMetadata>({ method: 'GET', path: modelPath(name, options.version) }, deadline(options).o),
  /** Loads the version and waits until it is warm (503, retried, while it is still loading). */
  modelReady: (name: string, options: InferOptions = {}) => {
    const { o, headers } = deadline(options);
    return t.call<ModelReady>(
      { method: 'GET', path: `${modelPath(name, options.version)}/ready`, headers },
      o,
    );
  },
  infer: (name: string, body: InferRequest, options: InferOptions = {}) => {
    const { o, headers } = deadline(options);
    return t.call<InferResponseBody>(
      { method: 'POST', path: `${modelPath(name, options.version)}/infer`, json: body, read: true, headers },
      o,
    );
  },
  /** Statistics extension: every model of the tenant, or one model (every version, or `version`'s). */
  stats: (name?: string, options: InferOptions = {}) =>
    t.call<OipStatistics>(
      {
        method: 'GET',
        path: name === undefined ? '/v2/models/stats' : `${modelPath(name, options.version)}/stats`,
      },
      deadline(options).o,
    ),
  /** Model configuration extension: batching, inputs and outputs as Triton has them. */
  config: (name: string, options: InferOptions = {}) =>
    t.call<OipModelConfig>(
      { method: 'GET', path: `${modelPath(name, options.version)}/config` },
      deadline(options).o,
    ),
  repository: {
    /** The tenant's model versions and their state (`ready: true`: only the loaded ones). */
    index: ({ ready }: { ready?: boolean } = {}, o?: CallOptions) =>
      t.call<OipRepositoryEntry[]>(
        {
          method: 'POST',
          path: '/v2/repository/index',
          json: ready === undefined ? {} : { ready },
          read: true,
        },
        o,
      ),
    /** Loads the model's default version and waits until it is ready. */
    load: (name: string, o?: CallOptions) =>
      t.call<Record<string, never>>({ method: 'POST', path: path`/v2/repository/models/${name}/load` }, o),
    /** Unloads every loaded version of the model; the next request loads it again. */
    unload: (name: string, o?: CallOptions) =>
      t.call<Record<string, never>>({ method: 'POST', path: path`/v2/repository/models/${name}/unload` }, o),
  },
});
