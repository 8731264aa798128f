// The text an item is embedded from: title, brand, category path words and description.
import type { Item } from '@quiver/contracts';

/** Descriptions are cut here: word-vector means blur with length, and long texts cost tokens. */
export const MAX_DESCRIPTION_CHARS = 1000;

export const itemText = (item: Pick<Item, 'title' | 'brand' | 'categories' | 'description'>): string =>
  [
    item.title,
    item.brand ?? '',
    (item.categories ?? []).map((c) => c.replaceAll('/', ' ')).join(' '),
    (item.description ?? '').slice(0, MAX_DESCRIPTION_CHARS),
  ]
    .filter((s) => s.length > 0)
    .join('. ');
