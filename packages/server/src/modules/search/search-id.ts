// A searchId names one answer and carries what attribution needs of it without a lookup: how many items
// matched (so analytics knows a no-result search from the search event alone), whether the answer's first
// page was explored (explore.ts: its ranks 3–20 shuffled, so click training can tell randomized positions
// apart) and, when a ranker endpoint scored it, the endpoint's routing token (so routing attributes the
// search's clicks and purchases to the variant): `srch_<random>.<total base 36>[.e][.<token>]`.
import { newId } from '../../kernel/index.ts';

export const SEARCH_ID_PREFIX = 'srch_';
/** The segment that marks an explored answer. */
const EXPLORED = 'e';

export const newSearchId = (total: number, token?: string, explored = false): string =>
  `${newId('srch')}.${total.toString(36)}${explored ? `.${EXPLORED}` : ''}${token ? `.${token}` : ''}`;

/** What a searchId carries; undefined for anything else (an id from a client, an older form). */
export const decodeSearchId = (id: string): { total: number; explored: boolean } | undefined => {
  if (!id.startsWith(SEARCH_ID_PREFIX)) return undefined;
  const [, total, mark] = id.split('.');
  const n = total === undefined ? Number.NaN : Number.parseInt(total, 36);
  return Number.isInteger(n) && n >= 0 ? { total: n, explored: mark === EXPLORED } : undefined;
};
