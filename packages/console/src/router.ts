// Client-side pages under /console/<page>: the server answers index.html for any of them.
import { useEffect, useState } from 'react';

export const PAGES = [
  { id: 'overview', title: 'Overview' },
  { id: 'models', title: 'Models' },
  { id: 'endpoints', title: 'Endpoints' },
  { id: 'rollouts', title: 'Rollouts' },
  { id: 'experiments', title: 'Experiments' },
  { id: 'search', title: 'Search' },
  { id: 'recommendations', title: 'Recommendations' },
  { id: 'catalog', title: 'Catalog & events' },
  { id: 'training', title: 'Training' },
  { id: 'tenants', title: 'Tenants & keys' },
] as const;
export type PageId = (typeof PAGES)[number]['id'];

const BASE = '/console/';

const pageOf = (pathname: string): PageId => {
  const id = pathname.startsWith(BASE) ? pathname.slice(BASE.length).split('/')[0] : '';
  return PAGES.find((p) => p.id === id)?.id ?? 'overview';
};

export const usePage = (): [PageId, (page: PageId) => void] => {
  const [page, setPage] = useState<PageId>(() => pageOf(window.location.pathname));
  useEffect(() => {
    const onPop = () => setPage(pageOf(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (next: PageId) => {
    window.history.pushState(null, '', `${BASE}${next}`);
    setPage(next);
  };
  return [page, go];
};
