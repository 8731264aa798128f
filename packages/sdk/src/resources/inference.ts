// The Open Inference Protocol (KServe V2) under /v2: server and model metadata, readiness, infer.
import { type CallOptions, path, type Transport } from '../transport.ts';
import type { InferRequest, InferResponseBody, ModelMetadata, ModelReady, ServerMetadata } from '../types.ts';
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
});
