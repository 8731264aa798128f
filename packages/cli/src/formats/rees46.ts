// The REES46 multi-category store export (Kaggle "eCommerce behavior data"): views, carts and purchases.
import type { BatchItem, QuiverEvent } from '@quiver/contracts';
import { type CsvFormat, skip, toId } from './types.ts';

/** The export does not name its currency; Kaggle's description and the price levels suggest US dollars. */
export const REES46_CURRENCY = 'USD';

const TYPES: Record<string, QuiverEvent['type']> = {
  view: 'view',
  cart: 'add_to_cart',
  purchase: 'purchase',
  remove_from_cart: 'custom:remove_from_cart',
};

/** `2019-10-01 00:00:00 UTC` → `2019-10-01T00:00:00Z`. */
const toTimestamp = (time: string): string => `${time.trim().replace(' UTC', '').replace(' ', 'T')}Z`;

const itemOf = (productId: string, categoryCode: string, brand: string, price: number): BatchItem => {
  const path = categoryCode ? categoryCode.split('.').filter(Boolean) : [];
  const leaf = path.length > 0 ? path[path.length - 1].replace(/_/g, ' ') : '';
  const title = [brand, leaf].filter(Boolean).join(' ') || `Product ${productId}`;
  return {
    id: productId,
    title,
    ...(path.length > 0 ? { categories: [path.join('/')] } : {}),
    ...(brand ? { brand } : {}),
    ...(Number.isFinite(price) && price >= 0 ? { price: { amount: price, currency: REES46_CURRENCY } } : {}),
  };
};

/** Event id `rees46-<line number>`; cart and purchase carry quantity 1 and the price as value. */
export const rees46: CsvFormat = {
  name: 'rees46',
  kind: 'csv',
  columns: [
    'event_time',
    'event_type',
    'product_id',
    'category_code',
    'brand',
    'price',
    'user_id',
    'user_session',
  ],
  map([time, eventType, product, categoryCode, brand, priceText, user, session], line) {
    const type = TYPES[eventType];
    if (!type) return skip(`unknown event type ${eventType}`);
    if (!user || !product) return skip('no user or product');
    const itemId = toId(product);
    const price = Number(priceText);
    const priced = type !== 'view' && Number.isFinite(price);
    const event: QuiverEvent = {
      id: `rees46-${line}`,
      type,
      userId: user,
      ...(session ? { sessionId: session } : {}),
      itemId,
      ...(priced ? { quantity: 1, value: price } : {}),
      timestamp: toTimestamp(time),
    };
    return { events: [event], items: [itemOf(itemId, categoryCode, brand, price)] };
  },
};
