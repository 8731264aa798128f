// The recommendation service: a scenario's context (query items, a cart, the user's recent items, the
// session's) → its endpoint's candidates (cold users and cold items have their fallbacks) → exclusions,
// filters, boosts, diversity and the limit → the answer, with the routing token and, on request, reasons.
import type {
  Item,
  RecommendationFallback,
  RecommendationReason,
  RecommendationRequest,
  RecommendationResponse,
} from '@quiver/contracts';
import { annotate, isQuiverError } from '../../kernel/index.ts';
import type { Filter } from '../search/index.ts';
import { itemText } from '../vectors/index.ts';
import { type Answer, createEndpointReader, type EndpointDeps, type Unit } from './endpoints.ts';
import { type ContextReason, contextReason, titlesOf, topContributors, trendingReason } from './explain.ts';
import {
  type ContextItem,
  type History,
  longTermContext,
  mergeContext,
  type OnlineFeatures,
  readHistory,
  recencyWeighted,
} from './history.ts';
import { type Candidate, interleave, type Ranked, rank } from './rank.ts';
import type { UserHistoryStore } from './repository.ts';
import { type Plan, planOf } from './request.ts';
import type { SessionItems } from './sessions.ts';

/** Nearest items asked of the vectors index per query item (cold items). */
export const VECTOR_NEIGHBOURS = 100;
/** Query items of one request looked up in the vectors index, at most. */
export const MAX_VECTOR_SEEDS = 10;

export interface RecommendDeps extends EndpointDeps {
  /** The tenant's catalog items by id (the search module's in-memory items). */
  items: { items(tenantId: string): Promise<ReadonlyMap<string, Item>> };
  features: OnlineFeatures;
  /** Each known customer's whole history as of the last training run (for-user's long-term context). */
  userHistory: Pick<UserHistoryStore, 'get'>;
  clock: { now(): number };
  /** Counts an answer that fell back (a metric). */
  onFallback?: (tenantId: string, scenario: string, reason: RecommendationFallback['reason']) => void;
  sessions: SessionItems;
  /** Nearest items to a text (the vectors module): neighbours of items the similar-items model lacks. */
  vectors?: { query(tenantId: string, text: string, k: number): Promise<{ id: string; score: number }[]> };
}

/** Where candidates came from, and so how they are explained. */
type Explanation =
  | { by: 'context'; reason: ContextReason; context: ContextItem[] }
  | { by: 'trending' }
  /** The candidates carry their reasons. */
  | { by: 'given' };

interface Part {
  answer: Answer;
  candidates: Iterable<Candidate>;
  explain: Explanation;
}

interface Served {
  /** Names the endpoint, version and token of the response. */
  primary: Answer;
  /** One, or several interleaved (a cold user: session picks and trending). */
  parts: Part[];
  /** Ids never answered: the context itself, what the user bought. */
  drop: Iterable<string>;
  degraded: boolean;
  notices: string[];
  /** The scenario's own answer could not be given: why, and what answered instead. */
  fallback?: RecommendationFallback;
}

const notTrained = (error: unknown) => isQuiverError(error) && error.code === 'recommender_not_trained';

const sameWeight = (ids: readonly string[]): ContextItem[] => ids.map((id) => ({ id, weight: 1 }));

export const createRecommendService = (deps: RecommendDeps): RecommendService => {
  const reader = createEndpointReader(deps);

  const trendingPart = (answer: Answer): Part => ({
    answer,
    candidates: answer.candidates,
    explain: { by: 'trending' },
  });

  /** Content neighbours of the query items from the vectors index, each reasoned by its nearest query item. */
  const vectorNeighbours = async (tenantId: string, seeds: readonly string[]): Promise<Candidate[]> => {
    const catalog = await deps.items.items(tenantId);
    const items = seeds
      .slice(0, MAX_VECTOR_SEEDS)
      .map((id) => catalog.get(id))
      .filter((i): i is Item => i !== undefined);
    const titles = titlesOf(items);
    const lists = await Promise.all(
      items.map((item) => deps.vectors!.query(tenantId, itemText(item), VECTOR_NEIGHBOURS)),
    );
    const best = new Map<string, Candidate>();
    lists.forEach((list, j) => {
      for (const n of list) {
        const seen = best.get(n.id);
        if (!seen || n.score > seen.score)
          best.set(n.id, {
            id: n.id,
            score: n.score,
            reasons: [contextReason('similar-to', items[j].id, titles)],
          });
      }
    });
    return [...best.values()].sort((a, b) => b.score - a.score);
  };

  /**
   * The model's neighbours of the query items it knows, and, for those it does not (new items), their nearest
   * items by text from the vectors index. Which query items the model knows: all when there is one and the
   * answer has evidence, none when the answer has none, else the serving version is asked (`reader.knows`,
   * cached per version and item) about the first MAX_VECTOR_SEEDS. Both lists: interleaved by merged rank.
   */
  const similarItems = async (tenantId: string, plan: Plan, unit: Unit): Promise<Served> => {
    const context = sameWeight(plan.seeds);
    const answer = await reader.ask(tenantId, 'similar-items', context, unit);
    const served = { primary: answer, drop: plan.seeds, degraded: answer.degraded };
    const modelPart = (known: readonly string[]): Part => ({
      answer,
      candidates: answer.candidates,
      explain: { by: 'context', reason: 'similar-to', context: sameWeight(known) },
    });
    if (!deps.vectors) return { ...served, parts: [modelPart(plan.seeds)], notices: [] };
    if (!answer.evidence)
      return {
        ...served,
        parts: [
          { answer, candidates: await vectorNeighbours(tenantId, plan.seeds), explain: { by: 'given' } },
        ],
        notices: [
          'similar-items: the model does not know these items yet; content neighbours from the vectors index',
        ],
      };
    const probed = plan.seeds.slice(0, MAX_VECTOR_SEEDS);
    const known = plan.seeds.length === 1 ? new Set(probed) : await reader.knows(tenantId, answer, probed);
    const unknown = probed.filter((id) => !known.has(id));
    if (unknown.length === 0) return { ...served, parts: [modelPart(plan.seeds)], notices: [] };
    return {
      ...served,
      parts: [
        modelPart(plan.seeds.filter((id) => !unknown.includes(id))),
        { answer, candidates: await vectorNeighbours(tenantId, unknown), explain: { by: 'given' } },
      ],
      notices: [
        `similar-items: the model does not know ${unknown.join(', ')} yet; their content neighbours from ` +
          "the vectors index are interleaved with the model's",
      ],
    };
  };

  const boughtTogether = async (tenantId: string, plan: Plan, unit: Unit): Promise<Served> => {
    const context = sameWeight(plan.seeds);
    const answer = await reader.ask(tenantId, 'bought-together', context, unit);
    return {
      primary: answer,
      parts: [
        { answer, candidates: answer.candidates, explain: { by: 'context', reason: 'bought-with', context } },
      ],
      drop: plan.seeds,
      degraded: answer.degraded,
      notices: !answer.evidence ? ['bought-together: no co-purchases of these items are known'] : [],
    };
  };

  const trending = async (tenantId: string, _plan: Plan, unit: Unit): Promise<Served> => {
    const answer = await reader.ask(tenantId, 'trending', [], unit);
    return {
      primary: answer,
      parts: [trendingPart(answer)],
      drop: [],
      degraded: answer.degraded,
      notices: [],
    };
  };

  /**
   * The user's context for for-user: their long-term history as of the last training run (every customer the
   * model knows, whatever the age of their events), their recent items from the feature store (real time) and
   * the session's. Without any history, or when the model knows none of it, or when no for-user model is
   * trained: trending, interleaved with what is bought together with the session's items when there are any,
   * and `fallback` says why.
   */
  const forUser = async (tenantId: string, plan: Plan, unit: Unit): Promise<Served> => {
    const notices: string[] = [];
    let degraded = false;
    let unavailable = false;
    let history: History | undefined;
    let sessionIds: string[] = [];
    const longTerm = plan.userId ? deps.userHistory.get(tenantId, plan.userId) : undefined;
    // Awaited below; handled here too, so a failure is not unhandled when the feature read throws first.
    longTerm?.catch(() => {});
    try {
      [history, sessionIds] = await Promise.all([
        plan.userId ? readHistory(deps.features, tenantId, plan.userId) : undefined,
        plan.sessionId ? deps.sessions.recent(tenantId, plan.sessionId) : [],
      ]);
    } catch (error) {
      // The KV store (Redis) is down: the long-term history and trending still answer.
      if (!isQuiverError(error) || error.code !== 'unavailable') throw error;
      degraded = true;
      unavailable = true;
      notices.push("for-user: the user's recent history is unavailable (the feature store is down)");
    }
    const past = longTermContext((await longTerm)?.items ?? [], deps.clock.now());
    const session = recencyWeighted(sessionIds);
    const personal = mergeContext(history?.recent ?? [], past);
    const context = mergeContext(personal, session);
    const drop = [...context.map((c) => c.id), ...(plan.excludePurchased ? (history?.purchased ?? []) : [])];
    let fallback: RecommendationFallback;
    if (personal.length > 0) {
      if ((history?.recent.length ?? 0) === 0)
        notices.push("for-user: the user's long-term history (as of the last training run) is the context");
      try {
        const answer = await reader.ask(tenantId, 'for-user', context, unit);
        if (answer.evidence)
          return {
            primary: answer,
            parts: [
              {
                answer,
                candidates: answer.candidates,
                explain: { by: 'context', reason: 'because-you-viewed', context },
              },
            ],
            drop,
            degraded: degraded || answer.degraded,
            notices,
          };
        fallback = { reason: 'unknown-to-model', detail: "the model knows none of the user's items yet" };
      } catch (error) {
        if (!notTrained(error)) throw error;
        degraded = true;
        fallback = {
          reason: 'not-trained',
          detail: 'no recommender is trained yet (POST /v1/trainers/als/runs)',
        };
      }
    } else
      fallback = unavailable
        ? { reason: 'history-unavailable', detail: "the user's history is unavailable" }
        : { reason: 'no-history', detail: 'no history for this user' };
    if (!unavailable || personal.length > 0) notices.push(`for-user: ${fallback.detail}`);
    const hot = await reader.ask(tenantId, 'trending', [], unit);
    let picks: Answer | undefined;
    if (session.length > 0) {
      try {
        picks = await reader.ask(tenantId, 'bought-together', session, unit);
      } catch (error) {
        if (!notTrained(error)) throw error;
      }
    }
    const parts: Part[] = [];
    if (picks?.evidence) {
      parts.push({
        answer: picks,
        candidates: picks.candidates,
        explain: { by: 'context', reason: 'bought-with', context: session },
      });
      notices.push("trending items interleaved with what is bought with the session's items");
    } else notices.push('trending items instead');
    parts.push(trendingPart(hot));
    const primary = parts[0].answer;
    return { primary, parts, drop, degraded: degraded || primary.degraded, notices, fallback };
  };

  const SCENARIO = {
    'similar-items': similarItems,
    'bought-together': boughtTogether,
    'for-user': forUser,
    trending,
  } as const;

  /** Reasons for the answered items, by the part each came from. */
  const explain = async (
    tenantId: string,
    plan: Plan,
    parts: Part[],
    ranked: readonly Ranked[],
  ): Promise<Map<string, RecommendationReason[]>> => {
    const out = new Map<string, RecommendationReason[]>();
    await Promise.all(
      parts.map(async (part, k) => {
        const answered = ranked.filter((r) => (r.part ?? 0) === k);
        const mine = answered.map((r) => r.item.id);
        const e = part.explain;
        if (mine.length === 0) return;
        if (e.by === 'trending') for (const id of mine) out.set(id, [trendingReason(plan.category)]);
        else if (e.by === 'given') for (const r of answered) out.set(r.item.id, r.reasons ?? []);
        else {
          const [top, catalog] = await Promise.all([
            topContributors(reader, tenantId, part.answer, e.context, mine),
            deps.items.items(tenantId),
          ]);
          const contextItems = e.context
            .map((c) => catalog.get(c.id))
            .filter((i): i is Item => i !== undefined);
          const titles = titlesOf(contextItems);
          for (const id of mine) {
            const from = top.get(id);
            out.set(id, from === undefined ? [] : [contextReason(e.reason, from, titles)]);
          }
        }
      }),
    );
    return out;
  };

  return {
    /** `filter`: the effective filter when the caller parsed it (a scoped key's embedded filters with the request's). */
    async recommend(
      tenantId: string,
      request: RecommendationRequest,
      filter?: Filter,
    ): Promise<RecommendationResponse> {
      const plan = planOf(request, filter);
      annotate({ 'quiver.tenant': tenantId, 'quiver.recommend.scenario': plan.scenario });
      const unit: Unit = { userId: plan.userId, sessionId: plan.sessionId };
      const served = await SCENARIO[plan.scenario](tenantId, plan, unit);
      if (served.fallback) deps.onFallback?.(tenantId, plan.scenario, served.fallback.reason);
      const dropped = new Set([...served.drop, ...plan.exclude]);
      const merged =
        served.parts.length === 1
          ? served.parts[0].candidates
          : interleave(
              served.parts.map((p) => p.candidates),
              dropped,
            );
      const ranked = rank(merged, await deps.items.items(tenantId), plan, dropped);
      const reasons = plan.explain ? await explain(tenantId, plan, served.parts, ranked) : undefined;
      const p = served.primary;
      return {
        recommendationId: p.recommendationId,
        scenario: plan.scenario,
        endpoint: p.endpoint,
        model: p.model,
        version: p.version,
        variant: p.variant,
        degraded: served.degraded,
        ...(served.fallback ? { fallback: served.fallback } : {}),
        items: ranked.map((r) => ({
          ...r.item,
          score: r.score,
          recommendationId: served.parts[r.part ?? 0].answer.recommendationId,
          ...(reasons ? { reasons: reasons.get(r.item.id) ?? [] } : {}),
        })),
        notices: served.notices,
      };
    },
  };
};

/** Recommendations per scenario, answered through the scenario's endpoint. */
export interface RecommendService {
  /** `filter`: the effective filter when the caller parsed it (a scoped key's embedded filters with the request's). */
  recommend(
    tenantId: string,
    request: RecommendationRequest,
    filter?: Filter,
  ): Promise<RecommendationResponse>;
}
