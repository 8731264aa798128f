// The recommendation token each endpoint answer carries; events that echo it are attributed to what served.
//
// `rt1~<endpoint>~<revision>~<assigned route>~<served: r<i>|f<i>>~<version>~<unit hash>`: short (< 120
// characters), readable, and enough to join an event to the endpoint revision, variant and version.

export const TOKEN_PREFIX = 'rt1';

export interface TokenParts {
  endpoint: string;
  revision: number;
  /** Index of the route the unit was assigned to. */
  assigned: number;
  /** What answered: a route (`r`) or a fallback (`f`), by index. */
  served: { kind: 'route' | 'fallback'; index: number };
  version: number;
  unit: string;
}

export const encodeToken = (t: TokenParts): string =>
  [
    TOKEN_PREFIX,
    t.endpoint,
    t.revision,
    t.assigned,
    `${t.served.kind === 'route' ? 'r' : 'f'}${t.served.index}`,
    t.version,
    t.unit,
  ].join('~');

const INT = /^\d{1,9}$/;

/** The parts of a token, or null when the string is not one. */
export const decodeToken = (token: string): TokenParts | null => {
  const p = token.split('~');
  if (p.length !== 7 || p[0] !== TOKEN_PREFIX) return null;
  const [, endpoint, revision, assigned, served, version, unit] = p;
  if (!endpoint || !INT.test(revision) || !INT.test(assigned) || !INT.test(version)) return null;
  const m = /^([rf])(\d{1,3})$/.exec(served);
  if (!m || !/^[0-9a-f]{16}$/.test(unit)) return null;
  return {
    endpoint,
    revision: Number(revision),
    assigned: Number(assigned),
    served: { kind: m[1] === 'r' ? 'route' : 'fallback', index: Number(m[2]) },
    version: Number(version),
    unit,
  };
};

/**
 * The token at the end of another id that carries one after a '.' (a search's `searchId`:
 * `srch_….<total>.<token>`), or undefined.
 */
export const embeddedToken = (id: unknown): string | undefined => {
  if (typeof id !== 'string') return undefined;
  const at = id.indexOf(`.${TOKEN_PREFIX}~`);
  return at < 0 ? undefined : id.slice(at + 1);
};
