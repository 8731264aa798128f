// @quiver/sdk: a typed fetch client for Quiver, for Node 20 and browsers (browser pages: `@quiver/sdk/browser`).
export { type BrowserClient, type BrowserClientOptions, createBrowserClient } from './browser.ts';
export { createQuiver, type Quiver, type QuiverOptions } from './client.ts';
export {
  type FieldError,
  isQuiverError,
  QuiverError,
  type QuiverErrorCode,
  type TransportCode,
} from './errors.ts';
export type { Paginated } from './paginate.ts';
export type { ItemRead, Preconditions } from './resources/catalog.ts';
export type { EndpointInferOptions, RolloutAction } from './resources/endpoints.ts';
export type { LoggedEvent } from './resources/events.ts';
export type { InferOptions } from './resources/inference.ts';
export type { PushVersion, VersionRef } from './resources/models.ts';
export type { PageOptions } from './resources/tenancy.ts';
export { backoffMs, DEFAULT_MAX_RETRIES, parseRetryAfter, type RetryPolicy } from './retry.ts';
export {
  type CallOptions,
  createTransport,
  DEFAULT_TIMEOUT_MS,
  type HttpAnswer,
  type HttpRequest,
  path,
  type Query,
  type RetryInfo,
  type Transport,
  type TransportOptions,
} from './transport.ts';
export type * from './types.ts';
