// The storefront's logic: search and trending recommendations through the SDK's browser client and a
// scoped key. The page (index.html) renders it; tests call the same functions from Node.
import { createBrowserClient } from '@quiver/sdk/browser';

/** @param {{ baseUrl: string, scopedKey: string, timeoutMs?: number }} options */
export const createStorefront = ({ baseUrl, scopedKey, timeoutMs = 10_000 }) => {
  const quiver = createBrowserClient({ baseUrl, scopedKey, timeoutMs });
  return {
    /** The first page of hits for a query, with brand facets. */
    search: (query) => quiver.search.query({ query, limit: 10, facets: ['brand'] }),
    /** What sells now; `recommendationId` goes back on click events for attribution. */
    trending: (limit = 5) => quiver.recommendations.get({ scenario: 'trending', limit }),
  };
};

const listOf = (items, label) =>
  items.length === 0
    ? `<li>${label}</li>`
    : items.map((i) => `<li>${escapeHtml(i.title)} <small>${escapeHtml(i.id)}</small></li>`).join('');

const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/** Wires the page: `?api=<Quiver URL>&key=<qs_… scoped key>` (print both with mint-key.ts). */
export const mountStorefront = (document, location) => {
  const params = new URLSearchParams(location.search);
  const shop = createStorefront({
    baseUrl: params.get('api') ?? location.origin,
    scopedKey: params.get('key') ?? '',
  });
  const results = document.querySelector('#results');
  const trending = document.querySelector('#trending');
  const status = document.querySelector('#status');
  const fail = (error) => {
    status.textContent = `${error.code ?? 'error'}: ${error.detail ?? error.message}`;
  };
  document.querySelector('#search').addEventListener('submit', (event) => {
    event.preventDefault();
    const query = document.querySelector('#query').value;
    shop.search(query).then((answer) => {
      status.textContent = `${answer.total} matches`;
      results.innerHTML = listOf(
        answer.hits.map((h) => h.item),
        'no matches',
      );
    }, fail);
  });
  shop.trending().then((answer) => {
    trending.innerHTML = listOf(answer.items, 'nothing trending yet');
  }, fail);
};
