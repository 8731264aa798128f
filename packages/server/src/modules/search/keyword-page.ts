// A keyword page in relevance order without pins, facets or a personal boost: the keyword index selects the
// page itself (a bounded heap, filters applied as it counts), so no hit is built for the other matches.
import type { SearchHit } from '@quiver/contracts';
import { type Page, type PageRequest, passes } from './page.ts';

/** Every keyword hit's retrievers: one frozen array shared by the hits (none of their readers changes it). */
const KEYWORD_ONLY = Object.freeze(['keyword']) as SearchHit['retrievers'];

export const keywordPage = (req: PageRequest): Page => {
  const { index, offset, limit } = req;
  const found = index.keyword.topDocs(req.query, Math.max(offset + limit, 1), {
    ...req.keyword,
    accept: req.filtered ? passes(req) : undefined,
  });
  const hits: Page['hits'] = [];
  const end = Math.min(found.nos.length, offset + limit);
  for (let i = offset; i < end; i++)
    hits.push({ item: index.itemAt(found.nos[i])!, score: found.scores[i], retrievers: KEYWORD_ONLY });
  return { hits, total: found.total };
};
