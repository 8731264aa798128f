// Attribution: a durable consumer of every tenant's events that joins each event carrying a routing token
// (`recommendationId`, or a searchId that embeds one) to the endpoint variant and version that served it;
// idempotent by event id.
import type { PutEndpoint, StoredEvent } from '@quiver/contracts';
import type { Consumer, Stream, StreamMessage } from '../../adapters/stream/index.ts';
import { ALL_EVENTS_FILTER, EVENTS_TOPIC_FAMILY } from '../events/index.ts';
import { fallbackName, variantName } from './endpoints.ts';
import type { AttributionRow, RoutingRepository } from './repository.ts';
import { decodeToken, embeddedToken, TOKEN_PREFIX } from './token.ts';

export const ATTRIBUTION_CONSUMER = 'routing-attribution';
const BATCH_SIZE = 500;
const REVISION_CACHE_MAX = 10_000;

export const createAttributionConsumer = (deps: {
  stream: Stream;
  repo: RoutingRepository;
  onError(error: unknown): void;
}) => {
  // Revisions are immutable, so they are cached without expiry (bounded).
  const revisions = new Map<string, PutEndpoint | null>();
  const revisionOf = async (tenantId: string, endpoint: string, revision: number) => {
    const key = `${tenantId}\u0000${endpoint}\u0000${revision}`;
    if (revisions.has(key)) return revisions.get(key) ?? null;
    const spec = await deps.repo.revision(tenantId, endpoint, revision);
    if (revisions.size >= REVISION_CACHE_MAX) revisions.clear();
    // A missing revision is not cached: it may belong to a write not yet visible here.
    if (spec) revisions.set(key, spec);
    return spec;
  };

  const attribute = async (m: StreamMessage): Promise<AttributionRow | null> => {
    const tenantId = m.topic.slice(EVENTS_TOPIC_FAMILY.length + 1);
    let e: Partial<StoredEvent>;
    try {
      e = m.json<Partial<StoredEvent>>();
    } catch {
      return null;
    }
    // A search answer's token rides in its searchId (the search-ranker endpoint's variant).
    const token = e.recommendationId ?? embeddedToken(e.properties?.searchId);
    if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX) || typeof e.id !== 'string') return null;
    const t = decodeToken(token);
    if (!t) return null;
    // Looked up under the event's own tenant: a token copied from another tenant names nothing here.
    const spec = await revisionOf(tenantId, t.endpoint, t.revision);
    const route = spec?.routes[t.assigned];
    const served =
      t.served.kind === 'route' ? spec?.routes[t.served.index] : spec?.fallback?.[t.served.index];
    if (!spec || !route || !served) return null;
    const at = Date.parse(e.timestamp ?? '');
    return {
      tenantId,
      eventId: e.id,
      endpoint: t.endpoint,
      variant: variantName(route),
      served: t.served.kind === 'route' ? variantName(spec.routes[t.served.index]) : fallbackName(served),
      model: served.model,
      version: String(t.version),
      unit: t.unit,
      type: String(e.type),
      at: Number.isNaN(at) ? m.timestamp : at,
    };
  };

  let consumer: Consumer | undefined;
  return {
    async start(): Promise<void> {
      consumer = await deps.stream.consume(
        ATTRIBUTION_CONSUMER,
        ALL_EVENTS_FILTER,
        async (batch) => {
          const rows: AttributionRow[] = [];
          for (const m of batch) {
            const row = await attribute(m);
            if (row) rows.push(row);
          }
          if (rows.length > 0) await deps.repo.writeAttributions(rows);
        },
        { batchSize: BATCH_SIZE, onError: deps.onError },
      );
    },
    async stop(): Promise<void> {
      await consumer?.stop();
      consumer = undefined;
    },
    lag: () => deps.stream.lag(ATTRIBUTION_CONSUMER),
  };
};
