// The routing service: the assembly of endpoint CRUD, serving, reports and rollouts (one file each beside
// it), and the timers and consumer it runs between `start`/`work` and `close`.
import type {
  CreateRollout,
  Endpoint,
  EndpointStats,
  ExperimentResults,
  PutEndpoint,
  Rollout,
} from '@quiver/contracts';
import type { SqlDatabase, TxHook } from '../../adapters/sql/index.ts';
import type { Stream } from '../../adapters/stream/index.ts';
import { type Clock, systemClock, withSpan } from '../../kernel/index.ts';
import type { Metrics } from '../../metrics/index.ts';
import type { InferRequestBody } from '../inference/index.ts';
import { createAttributionConsumer } from './attribution.ts';
import { createRolloutController } from './controller.ts';
import { createEndpointCrud } from './crud.ts';
import { createEndpointCache } from './endpoints.ts';
import { createReports, type ResultsOptions } from './reports.ts';
import { createRoutingRepository } from './repository.ts';
import { createRolloutActions } from './rollout-actions.ts';
import { createServer, type EndpointAnswer, type InferCallOptions, type InferFn } from './serve.ts';
import { createTelemetry, DEFAULT_FLUSH_MS } from './telemetry.ts';

export interface RoutingDeps {
  db: SqlDatabase;
  stream: Stream;
  metrics: Metrics;
  infer: InferFn;
  /** Checks a target exists (the registry's resolver); throws `not_found` when it does not. */
  resolve(tenantId: string, model: string, ref?: string): Promise<unknown>;
  clock?: Clock;
  onError?(error: unknown, what: string): void;
}

export interface RoutingOptions {
  endpointCacheTtlMs?: number;
  flushMs?: number;
  tickMs?: number;
}

type Headers = Record<string, string | string[] | undefined>;

/** Named endpoints in front of model versions; every method is scoped to one tenant. */
export interface RoutingService {
  /** Creates or replaces an endpoint (a new revision); `conflict` while a rollout is active on it. */
  put(tenantId: string, name: string, spec: PutEndpoint): Promise<{ endpoint: Endpoint; created: boolean }>;
  /** The endpoint as stored now; `not_found` if there is none. */
  get(tenantId: string, name: string): Promise<Endpoint>;
  /** A page of endpoints by name after `after`; `more` when another page follows. */
  list(tenantId: string, after: string, limit: number): Promise<{ endpoints: Endpoint[]; more: boolean }>;
  /** Deletes the endpoint and its rollouts; its revisions stay so tokens already handed out resolve. */
  remove(tenantId: string, name: string): Promise<void>;
  /** Every revision of the endpoint's routes, with the reason it was written. */
  history(
    tenantId: string,
    name: string,
  ): Promise<{
    revisions: { revision: number; routes: PutEndpoint['routes']; reason: string; at: string }[];
  }>;
  /** Answers through the endpoint: assignment, route then fallbacks, a `recommendationId`, shadows after. */
  infer(
    tenantId: string,
    name: string,
    body: InferRequestBody,
    headers: Headers,
    call?: InferCallOptions,
  ): Promise<EndpointAnswer>;
  /** Served and shadow telemetry since `sinceIso` (default: the last 15 minutes), and breaker states. */
  stats(tenantId: string, name: string, sinceIso?: string): Promise<EndpointStats>;
  /** Exposures, conversions, rates and lift per variant of the current routes, with an SRM check. */
  results(tenantId: string, name: string, options: ResultsOptions): Promise<ExperimentResults>;
  /**
   * Starts a canary rollout of a candidate; `conflict` if one is already active on the endpoint. `answer`
   * runs inside the rollout's transaction (the request's idempotency record).
   */
  createRollout(
    tenantId: string,
    name: string,
    body: CreateRollout,
    answer?: TxHook<Rollout>,
  ): Promise<Rollout>;
  /** One rollout of the endpoint; `not_found` if there is none. */
  rollout(tenantId: string, name: string, id: string): Promise<Rollout>;
  /** The endpoint's rollouts, newest first. */
  rollouts(tenantId: string, name: string): Promise<Rollout[]>;
  /** Stops the controller moving a running rollout; the current step's routes stay. */
  pause(tenantId: string, name: string, id: string): Promise<Rollout>;
  /** Resumes a paused rollout; its current step starts over. */
  resume(tenantId: string, name: string, id: string): Promise<Rollout>;
  /** Completes an active rollout at once: the candidate takes 100%. */
  promote(tenantId: string, name: string, id: string): Promise<Rollout>;
  /** Rolls an active rollout back to the routes it started from. */
  rollback(tenantId: string, name: string, id: string): Promise<Rollout>;
  /** Writes buffered telemetry now (a timer does it every `flushMs`). */
  flush(): Promise<void>;
  /** Flushes, then evaluates every running rollout once, in a run that starts after the call (timer: `tickMs`). */
  tick(): Promise<void>;
  /** Stream entries the attribution consumer has yet to process. */
  attributionLag(): Promise<number>;
  /** Starts the telemetry flush timer (every replica: each buffers what it served). */
  start(): Promise<void>;
  /**
   * Starts the attribution consumer (a durable consumer the workers share) and the rollout controller's
   * timer (decisions by the holder of the cluster lease only).
   */
  work(): Promise<void>;
  /** Stops the timers, waits for the rollout run in flight, stops the consumer, then flushes. */
  close(): Promise<void>;
}

export const createRoutingService = (deps: RoutingDeps, options: RoutingOptions = {}): RoutingService => {
  const { db, resolve } = deps;
  const clock = deps.clock ?? systemClock;
  const onError = deps.onError ?? (() => undefined);
  const repo = createRoutingRepository(db);
  const cache = createEndpointCache({ repo, clock }, options.endpointCacheTtlMs);
  const telemetry = createTelemetry({ repo, clock, metrics: deps.metrics });
  const server = createServer({
    cache,
    infer: deps.infer,
    telemetry,
    clock,
    onShadowError: (e) => onError(e, 'shadow request failed'),
  });
  const attribution = createAttributionConsumer({
    stream: deps.stream,
    repo,
    onError: (e) => onError(e, 'attribution consumer failed'),
  });
  const endpoints = createEndpointCrud({ db, repo, cache, resolve, clock });
  const reports = createReports({ repo, telemetry, clock, breakerStates: server.breakerStates });
  const controller = createRolloutController({ db, repo, cache, telemetry, clock, onError }, options.tickMs);
  const rollouts = createRolloutActions({ db, repo, cache, resolve, clock, apply: controller.apply });
  let flushTimer: NodeJS.Timeout | undefined;

  return {
    ...endpoints,
    infer: (tenantId, name, body, headers, call) =>
      withSpan('endpoint.infer', { 'quiver.tenant': tenantId, 'quiver.endpoint': name }, async (span) => {
        const answer = await server.infer(tenantId, name, body, headers, call);
        span.setAttributes({
          'quiver.endpoint.variant': answer.variant,
          'quiver.model': answer.model,
          'quiver.model.version': answer.version,
          'quiver.degraded': answer.degraded,
        });
        return answer;
      }),
    stats: reports.stats,
    results: reports.results,
    createRollout: rollouts.create,
    rollout: rollouts.get,
    rollouts: rollouts.list,
    pause: rollouts.pause,
    resume: rollouts.resume,
    promote: rollouts.promote,
    rollback: rollouts.rollback,
    flush: () => telemetry.flush(),
    tick: controller.tick,
    attributionLag: () => attribution.lag(),

    async start(): Promise<void> {
      // A start retried after a failure (NATS down at start) replaces its timers rather than adding more.
      clearInterval(flushTimer);
      flushTimer = setInterval(
        () => void telemetry.flush().catch((e) => onError(e, 'routing telemetry flush failed')),
        options.flushMs ?? DEFAULT_FLUSH_MS,
      );
      flushTimer.unref();
    },

    async work(): Promise<void> {
      await attribution.start();
      controller.start();
    },

    async close(): Promise<void> {
      clearInterval(flushTimer);
      await controller.close();
      await attribution.stop();
      await telemetry.flush().catch((e) => onError(e, 'routing telemetry flush failed'));
    },
  };
};
