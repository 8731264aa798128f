// Where feature state lives in the KV store. Every key of a tenant's view starts with its tenant, view and
// version, so tenants never share state and a changed definition starts afresh.
import type { FeatureEntity, FeatureWindow } from '@quiver/contracts';
import type { ViewDef } from './definitions.ts';

const ROOT = 'features';
const enc = encodeURIComponent;

/** The entity an event is about for a view, or undefined when the event lacks it. */
export const entityKeyOf = (
  entity: FeatureEntity,
  e: { userId?: string; itemId?: string },
): string | undefined => {
  if (entity === 'user') return e.userId === undefined ? undefined : enc(e.userId);
  if (entity === 'item') return e.itemId === undefined ? undefined : enc(e.itemId);
  return e.userId === undefined || e.itemId === undefined ? undefined : `${enc(e.userId)}|${enc(e.itemId)}`;
};

export const featureKeys = {
  /** The consumer position the KV state reflects (every event at or below it is applied). */
  position: (consumer: string) => `${ROOT}:position:${consumer}`,
  /**
   * The epoch of the consumer's state: written when the state is started or rebuilt, never expiring. Its
   * absence (or another value) means the store lost the state under the consumer (a Redis restarted empty).
   */
  epoch: (consumer: string) => `${ROOT}:epoch:${consumer}`,
  /** Present once an event is applied; its value is when (epoch ms). */
  seen: (tenantId: string, eventId: string) => `${ROOT}:seen:${tenantId}:${enc(eventId)}`,
  /** The prefix of one entity's state in one view. */
  entity: (tenantId: string, view: ViewDef, entityKey: string) =>
    `${ROOT}:v:${tenantId}:${view.name}@${view.version}:${entityKey}`,
  /** Hash: `ts` (newest event time) and the last-seen times of lastSeen aggregations. */
  meta: (base: string) => `${base}:meta`,
  /** Buckets (count, sum), a list (lastN) or a hash (copurchase), by aggregation name. */
  agg: (base: string, agg: string, window?: FeatureWindow) => `${base}:${agg}${window ? `:${window}` : ''}`,
  /** One bucket's hash (distinctCount, categoryCounts). */
  bucket: (base: string, agg: string, window: FeatureWindow, startMs: number) =>
    `${base}:${agg}:${window}:${startMs}`,
  /** The distinct items bought so far in one session (copurchase). */
  basket: (tenantId: string, view: ViewDef, sessionId: string) =>
    `${ROOT}:v:${tenantId}:${view.name}@${view.version}:basket:${enc(sessionId)}`,
};
