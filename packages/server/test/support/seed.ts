// A tenant's catalog and events written through the HTTP API, for tests that need data before they start.
import assert from 'node:assert/strict';
import type { BatchItem } from '@quiver/contracts';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';

export type Requester = { request(opts: InjectOptions): Promise<LightMyRequestResponse> };

/** The API's largest item batch. */
const MAX_BATCH = 1000;

/** POST /v1/items/batch, in batches of at most 1,000; asserts each answers 200. */
export const putItems = async (
  app: Requester,
  headers: Record<string, string>,
  items: readonly BatchItem[],
): Promise<void> => {
  for (let i = 0; i < items.length; i += MAX_BATCH) {
    const res = await app.request({
      method: 'POST',
      url: '/v1/items/batch',
      headers,
      payload: { items: items.slice(i, i + MAX_BATCH) },
    });
    assert.equal(res.statusCode, 200, res.body);
  }
};

/** POST /v1/events; asserts the batch is accepted (202). */
export const sendEvents = async (
  app: Requester,
  headers: Record<string, string>,
  events: readonly object[],
): Promise<void> => {
  const res = await app.request({ method: 'POST', url: '/v1/events', headers, payload: { events } });
  assert.equal(res.statusCode, 202, res.body);
};
