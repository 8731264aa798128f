// The chorus-icecat product corpus (corpus.jsonl, gunzipped): one product per line
// `{id, title, text, brand, price, ean}` → a catalog item (no events). Price is in cents.
import { type JsonlFormat, money, skip, toId } from './types.ts';

interface IcecatProduct {
  id?: unknown;
  title?: unknown;
  text?: unknown;
  brand?: unknown;
  price?: unknown;
  ean?: unknown;
}

const MAX_TITLE = 500;
const MAX_DESCRIPTION = 20_000;

export const icecat: JsonlFormat = {
  name: 'icecat',
  kind: 'jsonl',
  sniff: (value) =>
    typeof value === 'object' && value !== null && 'title' in value && 'ean' in value && !('type' in value),
  map(value) {
    const p = value as IcecatProduct;
    if (typeof p !== 'object' || p === null) return skip('not an object');
    if (
      (typeof p.id !== 'string' && typeof p.id !== 'number') ||
      typeof p.title !== 'string' ||
      !p.title.trim()
    )
      return skip('no id or title');
    const ean = Array.isArray(p.ean)
      ? p.ean.filter((e): e is string => typeof e === 'string').slice(0, 100)
      : [];
    return {
      events: [],
      items: [
        {
          id: toId(String(p.id)),
          title: p.title.trim().slice(0, MAX_TITLE),
          ...(typeof p.text === 'string' && p.text ? { description: p.text.slice(0, MAX_DESCRIPTION) } : {}),
          ...(typeof p.brand === 'string' && p.brand ? { brand: p.brand.slice(0, 200) } : {}),
          ...(typeof p.price === 'number' && p.price >= 0
            ? { price: { amount: money(p.price / 100), currency: 'EUR' } }
            : {}),
          ...(ean.length > 0 ? { attributes: { ean } } : {}),
        },
      ],
    };
  },
};
