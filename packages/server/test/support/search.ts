// Search tests' setup and calls through the HTTP API: a tenant holding a catalog, searches that must answer 200.
import assert from 'node:assert/strict';
import type { BatchItem, Scope, SearchResponse } from '@quiver/contracts';
import type { VectorRetriever } from '../../src/modules/search/ports.ts';
import type { TestApp } from './app.ts';
import { putItems, type Requester } from './seed.ts';

/** Five items for the hybrid second phase: three oak ones the keyword side finds, two lights it does not. */
export const OAK_AND_LIGHTS: readonly BatchItem[] = [
  { id: 'k1', title: 'Oak table lamp' },
  { id: 'k2', title: 'Oak lamp shade' },
  { id: 'k3', title: 'Oak chair' },
  { id: 'v1', title: 'Brass reading light' },
  { id: 'v2', title: 'Floor light' },
];

/** The vector side for OAK_AND_LIGHTS, whatever the query: v2, then v1, then k3 (cosines fall). */
export const oakAndLightsVectors: VectorRetriever = {
  async query() {
    return [
      { id: 'v2', score: 0.9 },
      { id: 'v1', score: 0.8 },
      { id: 'k3', score: 0.7 },
    ];
  },
};

export interface SearchTenantOptions {
  /** Turn the tenant's `vectors` setting on before the items go in (default off, as the product's). */
  vectors?: boolean;
  scopes?: Scope[];
  limits?: Parameters<TestApp['tenant']>[2];
}

/** Creates tenant `id` holding `items`; returns its key's Authorization header (admin unless `scopes`). */
export const searchTenant = async (
  app: TestApp,
  id: string,
  items: readonly BatchItem[],
  options: SearchTenantOptions = {},
): Promise<Record<string, string>> => {
  const headers = await app.tenant(id, options.scopes, options.limits);
  if (options.vectors) await app.vectorsOn(id);
  await putItems(app, headers, items);
  return headers;
};

/** POST /v1/search; asserts a 200 and returns the answer. */
export const searchOk = async (
  app: Requester,
  headers: Record<string, string>,
  payload: object,
): Promise<SearchResponse> => {
  const res = await app.request({ method: 'POST', url: '/v1/search', headers, payload });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as SearchResponse;
};

/** POST /v1/search in keyword mode; asserts a 200 and returns the answer. */
export const keywordSearch = (
  app: Requester,
  headers: Record<string, string>,
  query: string,
): Promise<SearchResponse> => searchOk(app, headers, { query, mode: 'keyword' });
