// A plausible event history for the demo shop, generated in code: views, carts and purchases of ~150
// shoppers over the past four weeks, with timestamps relative to now (so time-decayed trainers and the
// 30-day feature windows see it as recent).
import { demoRandom } from './catalog.ts';

export const DEMO_USER_COUNT = 150;
export const DEMO_HISTORY_DAYS = 28;
const SESSIONS_PER_USER = [3, 9] as const;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface DemoEvent {
  id: string;
  type: 'view' | 'add_to_cart' | 'purchase';
  userId: string;
  sessionId: string;
  itemId: string;
  timestamp: string;
  quantity?: number;
  value?: number;
}

interface CatalogItem {
  id: string;
  categories?: string[];
  price?: { amount: number };
}

/**
 * Users `u1`…`u150`; each prefers two categories and mostly browses and buys there, favouring each
 * category's first items (a popularity skew). A purchase often brings its companion along (the next item
 * in catalog order, from a neighbouring category), which is what bought-together learns. Deterministic for a
 * given `now` (ids `demo-<n>`), every event at least a minute before `now`.
 */
export const demoHistory = (items: readonly CatalogItem[], now: number): DemoEvent[] => {
  const rnd = demoRandom(7);
  const byCategory = new Map<string, CatalogItem[]>();
  for (const item of items) {
    const category = item.categories?.[0] ?? 'other';
    byCategory.set(category, [...(byCategory.get(category) ?? []), item]);
  }
  const categories = [...byCategory.keys()];
  const indexOf = new Map(items.map((item, i) => [item.id, i]));
  const pickIn = (category: string): CatalogItem => {
    const list = byCategory.get(category) ?? [];
    return list[Math.floor(rnd() ** 2 * list.length)];
  };
  const events: DemoEvent[] = [];
  let n = 0;
  const push = (e: Omit<DemoEvent, 'id'>) => events.push({ id: `demo-${++n}`, ...e });
  for (let u = 1; u <= DEMO_USER_COUNT; u++) {
    const userId = `u${u}`;
    const tastes = [
      categories[Math.floor(rnd() * categories.length)],
      categories[(u * 3) % categories.length],
    ];
    const sessions = SESSIONS_PER_USER[0] + Math.floor(rnd() * (SESSIONS_PER_USER[1] - SESSIONS_PER_USER[0]));
    for (let s = 0; s < sessions; s++) {
      const sessionId = `${userId}-s${s + 1}`;
      // Recent days are busier: the power skews session starts towards now.
      let at = now - rnd() ** 1.5 * DEMO_HISTORY_DAYS * DAY_MS - 30 * MINUTE_MS;
      const tick = () => {
        at = Math.min(at + (1 + Math.floor(rnd() * 4)) * MINUTE_MS, now - MINUTE_MS);
        return new Date(at).toISOString();
      };
      const viewed: CatalogItem[] = [];
      const views = 2 + Math.floor(rnd() * 5);
      for (let v = 0; v < views; v++) {
        const category =
          rnd() < 0.85 ? tastes[Math.floor(rnd() * 2)] : categories[Math.floor(rnd() * categories.length)];
        const item = pickIn(category);
        viewed.push(item);
        push({ type: 'view', userId, sessionId, itemId: item.id, timestamp: tick() });
      }
      if (rnd() < 0.45) {
        const item = viewed[Math.floor(rnd() * viewed.length)];
        const basket = [item];
        const companion = items[((indexOf.get(item.id) ?? 0) + 1) % items.length];
        if (rnd() < 0.6) basket.push(companion);
        for (const b of basket)
          push({ type: 'add_to_cart', userId, sessionId, itemId: b.id, timestamp: tick() });
        if (rnd() < 0.7) {
          for (const b of basket) {
            const quantity = rnd() < 0.8 ? 1 : 2;
            const value = Math.round((b.price?.amount ?? 10) * quantity * 100) / 100;
            push({ type: 'purchase', userId, sessionId, itemId: b.id, quantity, value, timestamp: tick() });
          }
        }
      }
    }
  }
  return events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
};
