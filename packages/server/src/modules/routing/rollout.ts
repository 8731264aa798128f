// Canary rollouts: the candidate's weight moves step by step; each step compares candidate and baseline on
// error rate, p99 latency and attributed click-through/conversion, then promotes, holds or rolls back.
import type { CreateRollout, Guardrails, PutEndpoint, Route } from '@quiver/contracts';
import { type Target, targetName, variantName } from './endpoints.ts';

export const DEFAULT_STEPS = [5, 25, 50, 100];
export const DEFAULT_STEP_DURATION = '5m';
export const DEFAULT_GUARDRAILS: Required<
  Pick<Guardrails, 'minRequests' | 'maxErrorRateIncrease' | 'maxP99Ratio'>
> = {
  minRequests: 50,
  maxErrorRateIncrease: 0.02,
  maxP99Ratio: 1.5,
};
export const DEFAULT_TICK_MS = 1_000;
/** Statuses of a rollout that still owns its endpoint's routes: at most one per endpoint, and no `PUT` meanwhile. */
export const ACTIVE_STATUSES = ['running', 'paused'];

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
export const parseDuration = (text: string): number => {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!m) throw new Error(`bad duration '${text}'`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
};

/** What a rollout remembers beside its status: the routes it started from and its settings. */
export interface RolloutSpec {
  candidate: Target;
  baseRoutes: Route[];
  baseline: string;
  steps: number[];
  stepDurationMs: number;
  guardrails: Guardrails;
}

export interface SideNumbers {
  requests: number;
  errors: number;
  p99Ms: number | null;
  /** Successful answers (the denominator of click-through and conversion). */
  served: number;
  clicks: number;
  conversions: number;
}

export type Action = 'promote' | 'hold' | 'rollback' | 'complete' | 'wait';

export interface Decision {
  action: Action;
  reason: string;
  numbers: Record<string, number | null>;
}

export const candidateRoute = (c: Target): Route => ({ ...c, weight: 0, variant: targetName(c) });

/** The endpoint's routes with the candidate at `percent` (last, so raising it moves only the needed units). */
export const routesAt = (spec: RolloutSpec, percent: number): Route[] => {
  const total = spec.baseRoutes.reduce((a, r) => a + r.weight, 0);
  const scaled = spec.baseRoutes.map((r) => ({
    ...r,
    weight: total > 0 ? ((100 - percent) * r.weight) / total : 0,
  }));
  return [...scaled, { ...candidateRoute(spec.candidate), weight: percent }];
};

export const planRollout = (current: PutEndpoint, body: CreateRollout): RolloutSpec => {
  const candidate: Target = {
    model: body.candidate.model,
    version: body.candidate.version,
    alias: body.candidate.alias,
  };
  const name = targetName(candidate);
  const baseRoutes = current.routes.filter((r) => variantName(r) !== name);
  const top = baseRoutes.reduce<Route | undefined>(
    (best, r) => (!best || r.weight > best.weight ? r : best),
    undefined,
  );
  return {
    candidate,
    baseRoutes,
    baseline: top ? variantName(top) : '',
    steps: body.steps ?? DEFAULT_STEPS,
    stepDurationMs: parseDuration(body.stepDuration ?? DEFAULT_STEP_DURATION),
    guardrails: { ...DEFAULT_GUARDRAILS, ...body.guardrails },
  };
};

const rate = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** A guardrail "candidate rate ≥ min × baseline rate" (off when `min` is absent): its breach, or undefined. */
const belowRatio = (what: string, c: number | null, b: number | null, min: number | undefined) =>
  min !== undefined && c !== null && b !== null && b > 0 && c < min * b
    ? `${what} ${c.toFixed(4)} vs baseline ${b.toFixed(4)} (min ×${min})`
    : undefined;

/**
 * The decision for the current step, from what both sides did since it started. A guardrail breach rolls
 * back as soon as the candidate has `minRequests`; otherwise nothing happens before the step's time is up,
 * and then too little traffic holds the step, anything else promotes (or completes after the last step).
 */
export const decide = (
  spec: RolloutSpec,
  stepIndex: number,
  elapsedMs: number,
  candidate: SideNumbers,
  baseline: SideNumbers,
): Decision => {
  const g = { ...DEFAULT_GUARDRAILS, ...spec.guardrails };
  const cErr = rate(candidate.errors, candidate.requests);
  const bErr = rate(baseline.errors, baseline.requests);
  const cCtr = rate(candidate.clicks, candidate.served);
  const bCtr = rate(baseline.clicks, baseline.served);
  const cConv = rate(candidate.conversions, candidate.served);
  const bConv = rate(baseline.conversions, baseline.served);
  const numbers = {
    candidateRequests: candidate.requests,
    baselineRequests: baseline.requests,
    candidateErrorRate: cErr,
    baselineErrorRate: bErr,
    candidateP99Ms: candidate.p99Ms,
    baselineP99Ms: baseline.p99Ms,
    candidateClickThrough: cCtr,
    baselineClickThrough: bCtr,
    candidateConversion: cConv,
    baselineConversion: bConv,
  };
  const enough = candidate.requests >= g.minRequests;
  const baselineEnough = baseline.requests >= g.minRequests;
  const breaches: string[] = [];
  if (enough) {
    if ((cErr ?? 0) - (bErr ?? 0) > g.maxErrorRateIncrease)
      breaches.push(
        `error rate ${cErr?.toFixed(4)} vs baseline ${(bErr ?? 0).toFixed(4)} (max +${g.maxErrorRateIncrease})`,
      );
    if (
      baselineEnough &&
      candidate.p99Ms !== null &&
      baseline.p99Ms !== null &&
      candidate.p99Ms > g.maxP99Ratio * baseline.p99Ms
    )
      breaches.push(
        `p99 ${candidate.p99Ms.toFixed(1)} ms vs baseline ${baseline.p99Ms.toFixed(1)} ms (max ×${g.maxP99Ratio})`,
      );
    if (baselineEnough)
      for (const breach of [
        belowRatio('click-through', cCtr, bCtr, g.minClickThroughRatio),
        belowRatio('conversion', cConv, bConv, g.minConversionRatio),
      ])
        if (breach) breaches.push(breach);
  }
  if (breaches.length > 0) return { action: 'rollback', reason: breaches.join('; '), numbers };
  if (elapsedMs < spec.stepDurationMs) return { action: 'wait', reason: 'step running', numbers };
  if (!enough)
    return {
      action: 'hold',
      reason: `${candidate.requests} candidate requests, need ${g.minRequests}`,
      numbers,
    };
  if (stepIndex + 1 >= spec.steps.length)
    return { action: 'complete', reason: 'every step passed its guardrails', numbers };
  return { action: 'promote', reason: `step ${spec.steps[stepIndex]}% passed its guardrails`, numbers };
};
