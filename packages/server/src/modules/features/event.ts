// The part of a stream event the feature store reads, decoded once per message.
import type { StoredEvent } from '@quiver/contracts';
import type { StreamMessage } from '../../adapters/stream/index.ts';

export const EVENTS_FAMILY = 'events';
export const EVENTS_FILTER = `${EVENTS_FAMILY}.>`;

export interface FeatureEvent {
  id: string;
  type: string;
  userId: string;
  itemId?: string;
  sessionId?: string;
  query?: string;
  value?: number;
  quantity?: number;
  /** Event time, epoch ms. */
  ts: number;
  /** When the server accepted it, epoch ms (the message's append time if the event does not say). */
  receivedAt: number;
  position: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The event of one message, or null when it is not one (the events module validates; this only guards). */
export const decodeEvent = (m: StreamMessage): FeatureEvent | null => {
  let raw: Partial<StoredEvent>;
  try {
    raw = m.json<Partial<StoredEvent>>();
  } catch {
    return null;
  }
  const ts = Date.parse(str(raw?.timestamp) ?? '');
  const id = str(raw?.id);
  const type = str(raw?.type);
  const userId = str(raw?.userId);
  if (!id || !type || !userId || Number.isNaN(ts)) return null;
  const received = Date.parse(str(raw.receivedAt) ?? '');
  return {
    id,
    type,
    userId,
    itemId: str(raw.itemId),
    sessionId: str(raw.sessionId),
    query: str(raw.query),
    value: num(raw.value),
    quantity: num(raw.quantity),
    ts,
    receivedAt: Number.isNaN(received) ? m.timestamp : received,
    position: m.position,
  };
};

/** The tenant of an `events.<tenantId>` topic. */
export const tenantOfTopic = (topic: string): string => topic.slice(EVENTS_FAMILY.length + 1);

/** The value an aggregation reads from an event, as text (ids) or a number (value, quantity). */
export const fieldOf = (e: FeatureEvent, field: string): string | number | undefined =>
  (e as unknown as Record<string, string | number | undefined>)[field];
