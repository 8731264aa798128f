// Answering through an endpoint: sticky assignment, the route then the fallbacks (each behind a circuit
// breaker and a per-attempt deadline), a token naming what served, and shadows mirrored afterwards.
import type { Shadow } from '@quiver/contracts';
import { type Clock, isQuiverError, QuiverError } from '../../kernel/index.ts';
import type { InferRequestBody, InferViewsBody } from '../inference/index.ts';
import { bucketOf, pickRoute, randomUnitHash, unitHash, unitOf } from './assignment.ts';
import { type Breaker, createBreaker } from './breaker.ts';
import { type EndpointCache, fallbackName, refOf, type Target, targetName } from './endpoints.ts';
import { compareOutputs, MAX_SHADOWS_IN_FLIGHT } from './shadow.ts';
import type { Telemetry } from './telemetry.ts';
import { encodeToken } from './token.ts';

export type InferFn = (
  tenantId: string,
  model: string,
  ref: string | undefined,
  body: InferRequestBody,
  options?: InferCallOptions,
) => Promise<InferViewsBody>;

/**
 * `views`: the outputs as views of the engine's arrays, for callers in this process (see ViewOutput).
 * `bodyFor`: the request for one target, for callers in this process whose input depends on the version that
 * answers (search's ranker: its columns are named in the version's metadata); absent, every target gets `body`.
 */
export type InferCallOptions = {
  timeoutMs?: number;
  views?: boolean;
  bodyFor?: (target: Target) => Promise<InferRequestBody>;
};

export interface EndpointAnswer {
  /** JSON unless the call asked for views. */
  body: InferViewsBody;
  model: string;
  version: string;
  variant: string;
  recommendationId: string;
  degraded: boolean;
}

export interface ServeDeps {
  cache: EndpointCache;
  infer: InferFn;
  telemetry: Telemetry;
  clock: Clock;
  onShadowError?: (error: unknown) => void;
}

/** Errors that are the caller's, not the target's: no fallback, and the breaker does not count them. */
// A run-time failure of the model (`unprocessable`) is the target's: it falls back like any other.
const CALLER_ERRORS = new Set(['validation_failed', 'malformed_json', 'payload_too_large']);

const withDeadline = <T>(work: Promise<T>, ms: number | undefined): Promise<T> => {
  if (ms === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QuiverError('deadline_exceeded', `no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
};

export const createServer = (deps: ServeDeps) => {
  const breakers = new Map<string, Breaker>();
  let shadowsInFlight = 0;

  const breakerOf = (tenantId: string, endpoint: string, t: Target, settings: object | undefined) => {
    const key = `${tenantId}\u0000${endpoint}\u0000${targetName(t)}`;
    let b = breakers.get(key);
    if (!b) {
      b = createBreaker(deps.clock, settings);
      breakers.set(key, b);
    }
    return b;
  };

  const mirror = (
    tenantId: string,
    endpoint: string,
    s: Shadow,
    body: InferRequestBody,
    primary: EndpointAnswer,
    call: InferCallOptions,
  ) => {
    if (shadowsInFlight >= MAX_SHADOWS_IN_FLIGHT) return;
    shadowsInFlight++;
    // After this turn: the caller's answer is serialized and sent before the shadow does any work.
    setImmediate(async () => {
      const started = performance.now();
      const peer = `${primary.model}@${primary.version}`;
      try {
        const input = call.bodyFor ? await call.bodyFor(s) : body;
        const out = await deps.infer(tenantId, s.model, refOf(s), input, { views: call.views });
        deps.telemetry.record({
          tenantId,
          endpoint,
          kind: 'shadow',
          variant: targetName(s),
          model: s.model,
          version: out.model_version,
          peer,
          ok: true,
          latencyMs: performance.now() - started,
          ...compareOutputs(s, primary.body.outputs, out.outputs),
        });
      } catch (error) {
        deps.telemetry.record({
          tenantId,
          endpoint,
          kind: 'shadow',
          variant: targetName(s),
          model: s.model,
          version: refOf(s) ?? 'default',
          peer,
          ok: false,
          latencyMs: performance.now() - started,
        });
        deps.onShadowError?.(error);
      } finally {
        shadowsInFlight--;
      }
    });
  };

  return {
    breakerStates(tenantId: string, endpoint: string) {
      const prefix = `${tenantId}\u0000${endpoint}\u0000`;
      return [...breakers]
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, b]) => ({ target: k.slice(prefix.length), state: b.state() }));
    },

    async infer(
      tenantId: string,
      name: string,
      body: InferRequestBody,
      headers: Record<string, string | string[] | undefined>,
      call: InferCallOptions = {},
    ): Promise<EndpointAnswer> {
      const ep = await deps.cache.get(tenantId, name);
      const spec = ep.row.spec;
      const unit = unitOf(spec.stickyBy, body.parameters, headers);
      const hash = unit === undefined ? randomUnitHash() : unitHash(ep.row.salt, unit);
      const assigned = pickRoute(ep.cumulative, bucketOf(hash));
      deps.telemetry.expose({
        tenantId,
        endpoint: name,
        unit: hash,
        variant: ep.variants[assigned],
        at: deps.clock.now(),
      });
      const timeoutMs = spec.timeoutMs ?? call.timeoutMs ?? body.parameters?.timeout_ms;
      const attempts: { target: Target; variant: string; kind: 'route' | 'fallback'; index: number }[] = [
        { target: spec.routes[assigned], variant: ep.variants[assigned], kind: 'route', index: assigned },
        ...(spec.fallback ?? []).map((f, index) => ({
          target: f,
          variant: fallbackName(f),
          kind: 'fallback' as const,
          index,
        })),
      ];
      let lastError: unknown;
      let skipped = 0;
      for (let i = 0; i < attempts.length; i++) {
        const a = attempts[i];
        const breaker = breakerOf(tenantId, name, a.target, spec.breaker);
        /** A failure of this target, under its configured reference since no version answered. */
        const failed = (latencyMs?: number) =>
          deps.telemetry.record({
            tenantId,
            endpoint: name,
            kind: 'serve',
            variant: a.variant,
            model: a.target.model,
            version: refOf(a.target) ?? 'default',
            ok: false,
            latencyMs,
          });
        if (!breaker.allow()) {
          skipped++;
          // The request this target was meant to answer is a failure of the target's, or an open breaker
          // would hide a failing candidate from its rollout (no latency: nothing ran).
          failed();
          continue;
        }
        const started = performance.now();
        try {
          const input = call.bodyFor ? await call.bodyFor(a.target) : body;
          const out = await withDeadline(
            deps.infer(tenantId, a.target.model, refOf(a.target), input, { timeoutMs, views: call.views }),
            timeoutMs,
          );
          breaker.success();
          const degraded = i > 0;
          deps.telemetry.record({
            tenantId,
            endpoint: name,
            kind: 'serve',
            variant: a.variant,
            model: out.model_name,
            version: out.model_version,
            ok: true,
            degraded,
            latencyMs: performance.now() - started,
          });
          const recommendationId = encodeToken({
            endpoint: name,
            revision: ep.row.revision,
            assigned,
            served: { kind: a.kind, index: a.index },
            version: Number(out.model_version),
            unit: hash,
          });
          const answer: EndpointAnswer = {
            body: {
              ...out,
              parameters: {
                ...out.parameters,
                endpoint: name,
                variant: a.variant,
                recommendationId,
                degraded,
              },
            },
            model: out.model_name,
            version: out.model_version,
            variant: a.variant,
            recommendationId,
            degraded,
          };
          for (const s of spec.shadow ?? [])
            if (s.percent > 0 && Math.random() * 100 < s.percent)
              mirror(tenantId, name, s, body, answer, call);
          return answer;
        } catch (error) {
          if (isQuiverError(error) && CALLER_ERRORS.has(error.code)) throw error;
          breaker.failure();
          failed(performance.now() - started);
          lastError = error;
        }
      }
      if (lastError === undefined && skipped > 0)
        throw new QuiverError(
          'unavailable',
          `every target of endpoint '${name}' is paused by its circuit breaker`,
        );
      throw lastError;
    },
  };
};

export type EndpointServer = ReturnType<typeof createServer>;
