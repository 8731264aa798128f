// Named endpoints in front of model versions, their stats, experiment results and rollouts: /v1/endpoints.
import { cursorList, type Paginated } from '../paginate.ts';
import { type CallOptions, path, type Transport } from '../transport.ts';
import type {
  CreateRollout,
  Endpoint,
  EndpointHistory,
  EndpointPage,
  EndpointStats,
  ExperimentResults,
  InferRequest,
  InferResponseBody,
  PutEndpoint,
  ResultsQuery,
  Rollout,
  RolloutList,
} from '../types.ts';
import type { PageOptions } from './tenancy.ts';

export type RolloutAction = 'pause' | 'resume' | 'promote' | 'rollback';

export interface EndpointInferOptions extends CallOptions {
  /** The server-side deadline (`Quiver-Timeout-Ms`). */
  deadlineMs?: number;
}

export const endpointsResource = (t: Transport) => {
  const rolloutAction =
    (action: RolloutAction) =>
    (name: string, id: string, o?: CallOptions): Promise<Rollout> =>
      t.call<Rollout>({ method: 'POST', path: path`/v1/endpoints/${name}/rollouts/${id}/${action}` }, o);
  return {
    /** Defines the endpoint (a new revision each time); 409 while a rollout runs. */
    put: (name: string, definition: PutEndpoint, o?: CallOptions) =>
      t.call<Endpoint>({ method: 'PUT', path: path`/v1/endpoints/${name}`, json: definition }, o),
    get: (name: string, o?: CallOptions) =>
      t.call<Endpoint>({ method: 'GET', path: path`/v1/endpoints/${name}` }, o),
    delete: (name: string, o?: CallOptions) =>
      t.call<void>({ method: 'DELETE', path: path`/v1/endpoints/${name}` }, o),
    list: (o: PageOptions = {}): Paginated<Endpoint, EndpointPage> =>
      cursorList(t, '/v1/endpoints', 'endpoints', o),
    history: (name: string, o?: CallOptions) =>
      t.call<EndpointHistory>({ method: 'GET', path: path`/v1/endpoints/${name}/history` }, o),
    /** An OIP body; the routing unit goes in `parameters.userId` or `parameters.sessionId`. */
    infer: (name: string, body: InferRequest, { deadlineMs, ...o }: EndpointInferOptions = {}) =>
      t.call<InferResponseBody>(
        {
          method: 'POST',
          path: path`/v1/endpoints/${name}/infer`,
          json: body,
          read: true,
          headers: deadlineMs !== undefined ? { 'quiver-timeout-ms': String(deadlineMs) } : undefined,
        },
        o,
      ),
    stats: (name: string, { since, ...o }: CallOptions & { since?: string } = {}) =>
      t.call<EndpointStats>({ method: 'GET', path: path`/v1/endpoints/${name}/stats`, query: { since } }, o),
    results: (name: string, query: ResultsQuery = {}, o?: CallOptions) =>
      t.call<ExperimentResults>({ method: 'GET', path: path`/v1/endpoints/${name}/results`, query }, o),
    rollouts: {
      /** Starts a canary rollout of `candidate` through `steps`. */
      start: (name: string, rollout: CreateRollout, o?: CallOptions) =>
        t.call<Rollout>({ method: 'POST', path: path`/v1/endpoints/${name}/rollouts`, json: rollout }, o),
      list: (name: string, o?: CallOptions) =>
        t.call<RolloutList>({ method: 'GET', path: path`/v1/endpoints/${name}/rollouts` }, o),
      /** The rollout with every decision the controller took. */
      get: (name: string, id: string, o?: CallOptions) =>
        t.call<Rollout>({ method: 'GET', path: path`/v1/endpoints/${name}/rollouts/${id}` }, o),
      pause: rolloutAction('pause'),
      resume: rolloutAction('resume'),
      promote: rolloutAction('promote'),
      rollback: rolloutAction('rollback'),
    },
  };
};
