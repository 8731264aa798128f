// The OTTO session dataset (JSONL, one session a line): clicks, carts and orders of anonymous sessions.
import type { QuiverEvent } from '@quiver/contracts';
import { type JsonlFormat, type Mapped, skip } from './types.ts';

const TYPES: Record<string, QuiverEvent['type']> = {
  clicks: 'click',
  carts: 'add_to_cart',
  orders: 'purchase',
};

interface OttoEvent {
  aid: number;
  ts: number;
  type: string;
}
interface OttoSession {
  session: number;
  events: OttoEvent[];
}

const isSession = (value: unknown): value is OttoSession =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as OttoSession).session === 'number' &&
  Array.isArray((value as OttoSession).events);

/**
 * OTTO has no user ids, so the session is the user: `otto-<session>`. Articles have no descriptions:
 * the item is `Article <aid>`. Event id `otto-<session>-<index in session>`; `ts` is in milliseconds.
 */
export const otto: JsonlFormat = {
  name: 'otto',
  kind: 'jsonl',
  sniff: isSession,
  map(value): Mapped {
    if (!isSession(value)) return skip('not an OTTO session');
    const userId = `otto-${value.session}`;
    const mapped: Mapped = { events: [], items: [] };
    value.events.forEach((e, index) => {
      const type = TYPES[e.type];
      if (!type || typeof e.aid !== 'number' || typeof e.ts !== 'number') return;
      const itemId = String(e.aid);
      mapped.events.push({
        id: `${userId}-${index}`,
        type,
        userId,
        sessionId: String(value.session),
        itemId,
        timestamp: new Date(e.ts).toISOString(),
      });
      mapped.items.push({ id: itemId, title: `Article ${itemId}` });
    });
    return mapped.events.length > 0 ? mapped : skip('no known events');
  },
};
