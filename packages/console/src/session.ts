// The signed-in key: held in memory and sessionStorage only (gone when the tab closes), never in localStorage
// or a cookie; the SDK client built from it talks to the server the page came from.

import type { StatsSeries } from '@quiver/contracts';
import { createQuiver, type Quiver, QuiverError } from '@quiver/sdk';

const STORAGE_KEY = 'quiver.console.key';

export type Role = 'operator' | 'tenant';

export interface Session {
  key: string;
  role: Role;
  quiver: Quiver;
}

export const clientFor = (key: string): Quiver =>
  createQuiver({ baseUrl: window.location.origin, apiKey: key, maxRetries: 1, timeoutMs: 15_000 });

/** The stats series through the SDK's generic call (the route is newer than its typed methods). */
export const statsSeries = async (quiver: Quiver, minutes = 60): Promise<StatsSeries> =>
  (await quiver.request<StatsSeries>({ method: 'GET', path: '/v1/stats/series', query: { minutes } })).body;

/**
 * Checks a key by reading the stats: 401 (unknown, revoked or expired) throws; the operator sees scope
 * `all`; a tenant key without `admin` is refused the stats (403) but may still use the pages its scopes allow.
 */
export const signIn = async (key: string): Promise<Session> => {
  const quiver = clientFor(key);
  let role: Role = 'tenant';
  try {
    role = (await statsSeries(quiver, 1)).scope === 'all' ? 'operator' : 'tenant';
  } catch (error) {
    if (!(error instanceof QuiverError) || error.status !== 403) throw error;
  }
  sessionStorage.setItem(STORAGE_KEY, key);
  return { key, role, quiver };
};

export const storedKey = (): string | null => sessionStorage.getItem(STORAGE_KEY);

export const signOut = (): void => sessionStorage.removeItem(STORAGE_KEY);
