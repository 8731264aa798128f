// Facet counts over every match of a search: brand, category (each level of each path), availability,
// price bands, and attributes.<name>; values by count, most first.
import type { Item } from '@quiver/contracts';

export const MAX_FACET_VALUES = 50;
const PRICE_BANDS = [0, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

const priceBand = (amount: number): string => {
  let i = PRICE_BANDS.length - 1;
  while (i > 0 && amount < PRICE_BANDS[i]) i--;
  return i === PRICE_BANDS.length - 1 ? `${PRICE_BANDS[i]}+` : `${PRICE_BANDS[i]}-${PRICE_BANDS[i + 1]}`;
};

/** The facet values one item contributes to a field (each counted once per item). */
export const facetValues = (item: Item, field: string): string[] => {
  switch (field) {
    case 'brand':
      return item.brand === undefined ? [] : [item.brand];
    case 'available':
      return [String(item.available ?? true)];
    case 'price':
      return item.price ? [priceBand(item.price.amount)] : [];
    case 'category': {
      const out = new Set<string>();
      for (const path of item.categories ?? []) {
        const parts = path.split('/');
        for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('/'));
      }
      return [...out];
    }
    default: {
      const v = item.attributes?.[field.slice('attributes.'.length)];
      if (v === undefined) return [];
      return [...new Set((Array.isArray(v) ? v : [v]).map(String))];
    }
  }
};

export const countFacets = (
  items: Iterable<Item>,
  fields: readonly string[],
): Record<string, Array<{ value: string; count: number }>> => {
  const counts = fields.map(() => new Map<string, number>());
  for (const item of items)
    fields.forEach((field, i) => {
      for (const v of facetValues(item, field)) counts[i].set(v, (counts[i].get(v) ?? 0) + 1);
    });
  const out: Record<string, Array<{ value: string; count: number }>> = {};
  fields.forEach((field, i) => {
    out[field] = [...counts[i]]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))
      .slice(0, MAX_FACET_VALUES);
  });
  return out;
};
