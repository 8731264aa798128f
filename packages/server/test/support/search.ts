// A keyword search through the HTTP API, for tests that watch what an index holds.
import assert from 'node:assert/strict';
import type { SearchResponse } from '@quiver/contracts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

/** POST /v1/search in keyword mode; asserts a 200 and returns the answer. */
export const keywordSearch = async (
  app: { request(opts: InjectOptions): Promise<LightMyRequestResponse> },
  headers: Record<string, string>,
  query: string,
): Promise<SearchResponse> => {
  const res = await app.request({
    method: 'POST',
    url: '/v1/search',
    headers,
    payload: { query, mode: 'keyword' },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as SearchResponse;
};
