// The browser-safe client: search and recommendations only, with a short-lived scoped key (`qs_…`).
import { recommendationsResource, searchResource } from './resources/discovery.ts';
import { createTransport, type TransportOptions } from './transport.ts';

export { QuiverError } from './errors.ts';
export type { CallOptions } from './transport.ts';
export type {
  FacetValuesRequest,
  FacetValuesResponse,
  MultiSearchRequest,
  MultiSearchResponse,
  RecommendationRequest,
  RecommendationResponse,
  SearchHit,
  SearchRequest,
  SearchResponse,
  SuggestQuery,
  SuggestResponse,
} from './types.ts';

export const SCOPED_KEY_PREFIX = 'qs_';

export interface BrowserClientOptions extends Omit<TransportOptions, 'apiKey'> {
  /**
   * A scoped key minted by your server (`quiver.keys.mintScoped`): it may only search and recommend, within
   * the filters embedded in it. Anything else (a tenant or operator key) is refused here, so a full key
   * never ends up in a page.
   */
  scopedKey: string;
}

export const createBrowserClient = ({ scopedKey, ...options }: BrowserClientOptions) => {
  if (!scopedKey.startsWith(SCOPED_KEY_PREFIX)) {
    throw new TypeError(
      `createBrowserClient takes a scoped key (${SCOPED_KEY_PREFIX}…), never a full API key`,
    );
  }
  const t = createTransport({ ...options, apiKey: scopedKey });
  return { search: searchResource(t), recommendations: recommendationsResource(t) };
};

export type BrowserClient = ReturnType<typeof createBrowserClient>;
