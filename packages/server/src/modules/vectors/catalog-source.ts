// What the vectors module reads from the catalog module (its service's `getMany` and `list`): item texts by
// id, and every item of a tenant page by page.
import type { Item } from '@quiver/contracts';
import { itemText } from './item-text.ts';

export interface CatalogReader {
  /** The items with these ids that exist (absent ones left out). */
  getMany(tenantId: string, ids: readonly string[]): Promise<Item[]>;
  list(
    tenantId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Item[]; nextCursor: string | null }>;
}

const PAGE = 500;

/** The current text of each id, or null for an item that no longer exists. */
export const currentTexts = async (
  catalog: CatalogReader,
  tenantId: string,
  ids: readonly string[],
): Promise<Map<string, string | null>> => {
  const out = new Map<string, string | null>(ids.map((id) => [id, null]));
  for (const item of await catalog.getMany(tenantId, ids)) out.set(item.id, itemText(item));
  return out;
};

/** Every item's id and text, a page at a time. */
export async function* allTexts(
  catalog: CatalogReader,
  tenantId: string,
): AsyncGenerator<Array<{ id: string; text: string }>> {
  let cursor: string | undefined;
  do {
    const page = await catalog.list(tenantId, PAGE, cursor);
    yield page.items.map((item) => ({ id: item.id, text: itemText(item) }));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
