// Asking a scenario's endpoint (through routing: assignment, fallbacks, the token) and reading its answer
// by the model contract; also asking the exact version that served again, for per-context explanations.
import { isQuiverError, QuiverError } from '../../kernel/index.ts';
import type { InferRequestBody, InferViewsBody } from '../inference/index.ts';
import type { VersionMetadata } from '../registry/index.ts';
import type { RoutingService } from '../routing/index.ts';
import {
  candidatesOf,
  OUTPUT_SCORES,
  type RecommenderGraph,
  recommenderInfo,
  recommenderRequest,
  SCENARIO_ENDPOINTS,
  type Scenario,
} from './artifact.ts';
import type { ContextItem } from './history.ts';
import type { Candidate } from './rank.ts';

export interface EndpointDeps {
  /** The routing service's endpoint infer. */
  infer: RoutingService['infer'];
  /** One model version's answer (the inference service, outputs as views), for explanations. */
  inferVersion(
    tenantId: string,
    model: string,
    version: string,
    body: InferRequestBody,
  ): Promise<InferViewsBody>;
  /** The registry's resolver: a version's metadata. */
  resolve(tenantId: string, model: string, ref: string): Promise<{ metadata: VersionMetadata }>;
}

export interface Answer {
  endpoint: string;
  model: string;
  version: string;
  variant: string;
  recommendationId: string;
  degraded: boolean;
  graph: RecommenderGraph;
  /** Best first, by the contract's rules (padding and no-evidence entries dropped); read lazily. */
  candidates: Iterable<Candidate>;
  /**
   * Whether the model knew any of the context: a neighbours or scores answer has a candidate; a factors
   * answer (every item, best first) has a score other than 0 at either end.
   */
  evidence: boolean;
}

const hasEvidence = (body: InferViewsBody, graph: RecommenderGraph, candidates: Iterable<Candidate>) => {
  if (graph !== 'factors') return !candidates[Symbol.iterator]().next().done;
  const scores = body.outputs.find((o) => o.name === OUTPUT_SCORES)?.data ?? [];
  return scores.length > 0 && (Number(scores[0]) !== 0 || Number(scores[scores.length - 1]) !== 0);
};

const GRAPH_CACHE_MAX = 10_000;
/** (version, item) pairs whose knowledge is cached; cleared when full. */
const KNOWN_CACHE_MAX = 100_000;
/**
 * (version, item) rankings kept for explanations (each ≤ K row numbers and scores, about 4 kB at K = 500);
 * cleared when full, with the versions' id tables.
 */
const ALONE_CACHE_MAX = 4096;

/** One context item's ranking alone at weight 1: positive scores, best first, ids as rows of an IdTable. */
interface Ranking {
  rows: Int32Array;
  scores: Float32Array;
}
/** A version's ids as small integers, so its cached rankings do not each hold 500 strings. */
type IdTable = Map<string, number>;

/** `parameters` of every endpoint call: the routing unit an endpoint may be sticky by. */
export type Unit = { userId?: string; sessionId?: string };

export const createEndpointReader = (deps: EndpointDeps) => {
  // Versions are immutable: their graph kind is cached without expiry (bounded).
  const graphs = new Map<string, RecommenderGraph>();
  const graphOf = async (tenantId: string, model: string, version: string): Promise<RecommenderGraph> => {
    const key = `${tenantId}\u0000${model}\u0000${version}`;
    const hit = graphs.get(key);
    if (hit) return hit;
    const info = recommenderInfo((await deps.resolve(tenantId, model, version)).metadata);
    if (!info)
      throw new QuiverError('unprocessable', `model '${model}' version ${version} is not a recommender`);
    if (graphs.size >= GRAPH_CACHE_MAX) graphs.clear();
    graphs.set(key, info.graph);
    return info.graph;
  };

  // Whether a version knows an item never changes (versions are immutable): cached per (version, item).
  const known = new Map<string, boolean>();
  // Nor what it answers for one item alone: cached per (version, item) for explanations.
  const rankings = new Map<string, Ranking>();
  const idTables = new Map<string, IdTable>();

  return {
    /**
     * Which of `ids` the version that gave `answer` knows: asked that version once per id not yet cached, the
     * id alone at weight 1 (known = the answer has evidence, as for `Answer.evidence`). An item the model
     * holds but can say nothing about (no neighbours, zero factors) counts as unknown.
     */
    async knows(tenantId: string, answer: Answer, ids: readonly string[]): Promise<Set<string>> {
      const keyOf = (id: string) => `${tenantId}\u0000${answer.model}\u0000${answer.version}\u0000${id}`;
      const asked = ids.filter((id) => !known.has(keyOf(id)));
      const found = await Promise.all(
        asked.map(async (id) => {
          const body = await deps.inferVersion(
            tenantId,
            answer.model,
            answer.version,
            recommenderRequest([{ id, weight: 1 }]),
          );
          return hasEvidence(body, answer.graph, candidatesOf(body, answer.graph));
        }),
      );
      const out = new Set(ids.filter((id) => known.get(keyOf(id))));
      if (known.size + asked.length > KNOWN_CACHE_MAX) known.clear();
      for (const [j, id] of asked.entries()) {
        known.set(keyOf(id), found[j]);
        if (found[j]) out.add(id);
      }
      return out;
    },

    /**
     * The scenario's endpoint answer for this context; throws `recommender_not_trained` when the endpoint or
     * the model version it routes to does not exist yet.
     */
    async ask(
      tenantId: string,
      scenario: Scenario,
      context: readonly ContextItem[],
      unit: Unit,
    ): Promise<Answer> {
      const { endpoint, kind } = SCENARIO_ENDPOINTS[scenario];
      const parameters = Object.fromEntries(Object.entries(unit).filter(([, v]) => v !== undefined));
      let a: Awaited<ReturnType<RoutingService['infer']>>;
      try {
        a = await deps.infer(
          tenantId,
          endpoint,
          recommenderRequest(context, parameters),
          {},
          { views: true },
        );
      } catch (error) {
        if (isQuiverError(error) && error.code === 'not_found')
          throw new QuiverError(
            'recommender_not_trained',
            `No recommender answers ${scenario} yet (endpoint '${endpoint}': ${error.message}); ` +
              `train one with POST /v1/trainers/${kind}/runs`,
            { cause: error },
          );
        throw error;
      }
      const graph = await graphOf(tenantId, a.model, a.version);
      const candidates = candidatesOf(a.body, graph);
      return {
        endpoint,
        model: a.model,
        version: a.version,
        variant: a.variant,
        recommendationId: a.recommendationId,
        degraded: a.degraded,
        graph,
        candidates,
        evidence: hasEvidence(a.body, graph, candidates),
      };
    },

    /**
     * What the version that gave `answer` scores for one context item alone, at its weight, for the `wanted`
     * ids: its share of the whole answer's scores (the contract-1 graphs are linear in the context; for
     * `userknn`, which picks its customers per request, it is what that item's own neighbours lend). Top K, positive.
     * The version's ranking for the item alone at weight 1 is the same for every user whose history holds the
     * item: it is asked once and cached (versions are immutable), and scaled by the item's weight in float32
     * as the graph would (exact for neighbour tables; within float32 rounding for factors).
     */
    async alone(
      tenantId: string,
      answer: Answer,
      item: ContextItem,
      wanted: ReadonlySet<string>,
    ): Promise<Map<string, number>> {
      const version = `${tenantId}\u0000${answer.model}\u0000${answer.version}`;
      const key = `${version}\u0000${item.id}`;
      let ranking = rankings.get(key);
      if (!ranking) {
        const body = await deps.inferVersion(
          tenantId,
          answer.model,
          answer.version,
          recommenderRequest([{ id: item.id, weight: 1 }]),
        );
        // After the await: the table and the cache are read and filled in one turn, so a clear cannot split them.
        if (rankings.size >= ALONE_CACHE_MAX) {
          rankings.clear();
          idTables.clear();
        }
        const table = idTables.get(version) ?? new Map<string, number>();
        idTables.set(version, table);
        const rows: number[] = [];
        const scores: number[] = [];
        for (const c of candidatesOf(body, answer.graph)) {
          if (c.score <= 0) break;
          let row = table.get(c.id);
          if (row === undefined) {
            row = table.size;
            table.set(c.id, row);
          }
          rows.push(row);
          scores.push(c.score);
        }
        ranking = { rows: Int32Array.from(rows), scores: Float32Array.from(scores) };
        rankings.set(key, ranking);
      }
      const table = idTables.get(version);
      const weight = Math.fround(item.weight);
      const out = new Map<string, number>();
      const wantedRows = new Map<number, string>();
      for (const id of wanted) {
        const row = table?.get(id);
        if (row !== undefined) wantedRows.set(row, id);
      }
      for (let i = 0; i < ranking.rows.length && out.size < wantedRows.size; i++) {
        const id = wantedRows.get(ranking.rows[i]);
        if (id !== undefined) out.set(id, Math.fround(weight * ranking.scores[i]));
      }
      return out;
    },
  };
};

export type EndpointReader = ReturnType<typeof createEndpointReader>;
