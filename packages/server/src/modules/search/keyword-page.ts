// A keyword page in relevance order without pins, facets or a personal boost: the keyword index selects the
// page itself (a bounded heap, filters applied as it counts), so no hit is built for the other matches.
import { type Page, type PageRequest, passes } from './page.ts';

export const keywordPage = (req: PageRequest): Page => {
  const { index, offset, limit } = req;
  const found = index.keyword.top(req.query, Math.max(offset + limit, 1), {
    ...req.keyword,
    accept: req.filtered ? passes(req) : undefined,
  });
  const hits: Page['hits'] = found.hits
    .slice(offset, offset + limit)
    .map((h) => ({ item: index.items.get(h.id)!, score: h.score, retrievers: ['keyword'] }));
  return { hits, total: found.total };
};
