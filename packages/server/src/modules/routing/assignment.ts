// Sticky weighted assignment: a unit's stable bucket in [0, 1) picks a route from weights laid out in order.
import { createHash, randomFillSync } from 'node:crypto';

const TWO_POW_32 = 2 ** 32;
const TWO_POW_52 = 2 ** 52;

/** The unit's hash under the endpoint's salt: 64 bits of SHA-256, as 16 hex digits. */
export const unitHash = (salt: string, unit: string): string =>
  createHash('sha256').update(salt).update('\0').update(unit).digest('hex').slice(0, 16);

/** Random units drawn per refill of the pool (a call to the CSPRNG per request cost ~2% of a request's CPU). */
const RANDOM_UNITS_PER_FILL = 512;
const randomPool = Buffer.alloc(8 * RANDOM_UNITS_PER_FILL);
let randomOffset = randomPool.length;

/** A random 16-hex-digit unit for a request without a routing unit (each request is its own unit). */
export const randomUnitHash = (): string => {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += 8;
  return randomPool.toString('hex', randomOffset - 8, randomOffset);
};

/** The bucket in [0, 1) of a unit hash: its top 52 bits as a fraction (exact in a double). */
export const bucketOf = (hash: string): number => {
  const high = Number.parseInt(hash.slice(0, 8), 16);
  const low = Number.parseInt(hash.slice(8, 13), 16); // 20 more bits
  return (high * 2 ** 20 + low) / TWO_POW_52;
};

/**
 * Upper bounds of each route's slice of [0, 1), in route order. Slices are contiguous and in a fixed order,
 * so changing weights moves only the units whose bucket lies between an old and a new boundary: raising the
 * last route (where a rollout puts its candidate) from 5% to 25% moves exactly the units in [0.75, 0.95).
 */
export const cumulativeWeights = (weights: readonly number[]): number[] => {
  const total = weights.reduce((a, w) => a + w, 0);
  if (!(total > 0)) throw new Error('weights must have a positive sum');
  let running = 0;
  const out = weights.map((w) => {
    running += w;
    return running / total;
  });
  out[out.length - 1] = 1;
  return out;
};

/** The index of the route whose slice holds `bucket` (routes with weight 0 own an empty slice). */
export const pickRoute = (cumulative: readonly number[], bucket: number): number => {
  for (let i = 0; i < cumulative.length; i++) if (bucket < cumulative[i]) return i;
  return cumulative.length - 1;
};

export type StickyBy = 'userId' | 'sessionId' | `header:${string}`;

/** The routing unit of a request: `parameters.userId`/`sessionId` or a header; undefined when absent. */
export const unitOf = (
  stickyBy: string | undefined,
  parameters: Record<string, unknown> | undefined,
  headers: Record<string, string | string[] | undefined>,
): string | undefined => {
  if (!stickyBy) return undefined;
  let value: unknown;
  if (stickyBy.startsWith('header:')) value = headers[stickyBy.slice('header:'.length)];
  else value = parameters?.[stickyBy];
  if (Array.isArray(value)) value = value[0];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

/** Used only by tests and the simulation: a uniform bucket for 32 random bits. */
export const bucketOfInt = (n: number): number => (n >>> 0) / TWO_POW_32;
