// The in-process search libraries Quiver is compared with (bench/search-peers.ts), each set up once as its
// documentation suggests for a product search box — never tuned on the benchmark's figures: MiniSearch (BM25+
// with prefix and fuzzy matching, title boosted) and FlexSearch (a Document index over the same fields,
// forward tokenizer for prefixes, `suggest` so a query with an unmatched word still answers).
import { Document } from 'flexsearch';
import MiniSearch from 'minisearch';

export interface PeerItem {
  id: string;
  title: string;
  description?: string;
  brand?: string;
}

export interface Peer {
  name: string;
  add(items: readonly PeerItem[]): void;
  /** The ids of the best `k` items, best first. */
  search(query: string, k: number): string[];
}

const FIELDS = ['title', 'description', 'brand'];

export const miniSearch = (): Peer => {
  const index = new MiniSearch<PeerItem>({
    fields: FIELDS,
    searchOptions: { prefix: true, fuzzy: 0.2, boost: { title: 2 } },
  });
  return {
    name: 'MiniSearch 7.2 (prefix, fuzzy 0.2, title ×2)',
    add: (items) => index.addAll(items.map((i) => ({ ...i }))),
    search: (query, k) =>
      index
        .search(query)
        .slice(0, k)
        .map((r) => String(r.id)),
  };
};

export const flexSearch = (): Peer => {
  const index = new Document<Record<string, string>>({
    document: { id: 'id', index: FIELDS },
    tokenize: 'forward',
  });
  return {
    name: 'FlexSearch 0.8 (Document, forward, suggest)',
    add: (items) => {
      for (const i of items)
        index.add({ id: i.id, title: i.title, description: i.description ?? '', brand: i.brand ?? '' });
    },
    search: (query, k) =>
      (index.search(query, { limit: k, merge: true, suggest: true }) as Array<{ id: string | number }>)
        .slice(0, k)
        .map((r) => String(r.id)),
  };
};

export const PEERS = [miniSearch, flexSearch];
