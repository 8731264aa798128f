// A searchId names one answer and carries what attribution needs of it without a lookup: how many items
// matched (so analytics knows a no-result search from the search event alone) and, when a ranker endpoint
// scored it, the endpoint's routing token (so routing attributes the search's clicks and purchases to the
// variant): `srch_<random>.<total base 36>[.<token>]`.
import { newId } from '../../kernel/index.ts';

export const SEARCH_ID_PREFIX = 'srch_';

export const newSearchId = (total: number, token?: string): string =>
  `${newId('srch')}.${total.toString(36)}${token ? `.${token}` : ''}`;

/** What a searchId carries; undefined for anything else (an id from a client, an older form). */
export const decodeSearchId = (id: string): { total: number } | undefined => {
  if (!id.startsWith(SEARCH_ID_PREFIX)) return undefined;
  const [, total] = id.split('.');
  const n = total === undefined ? Number.NaN : Number.parseInt(total, 36);
  return Number.isInteger(n) && n >= 0 ? { total: n } : undefined;
};
