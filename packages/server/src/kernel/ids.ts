// Identifiers and secrets: random ids, API key secrets and their hashes, constant-time comparison.
import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

const ID_BYTES = 9;
/** Random bytes for ids drawn 4 KiB at a time: one randomBytes call per ~450 ids instead of one each. */
const POOL_BYTES = 4096 - (4096 % ID_BYTES);
let pool = Buffer.alloc(0);
let poolAt = 0;

/** `<prefix>_<12 random base64url characters>`: a unique id (not a secret: see randomSecret). */
export const newId = (prefix: string): string => {
  if (poolAt + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  poolAt += ID_BYTES;
  return `${prefix}_${pool.toString('base64url', poolAt - ID_BYTES, poolAt)}`;
};

export const newRequestId = (): string => randomUUID();

export const randomSecret = (bytes = 24): string => randomBytes(bytes).toString('base64url');

// One-shot `crypto.hash` (Node 20.12+): no Hash object per call, which authentication pays on every request.
export const sha256Hex = (value: string | Buffer): string => hash('sha256', value, 'hex');

export const sha256 = (value: string | Buffer): Buffer => hash('sha256', value, 'buffer');

/** Compares two secrets in constant time with respect to their content (both are hashed first). */
export const secretsEqual = (a: string, b: string): boolean => timingSafeEqual(sha256(a), sha256(b));

/** Compares a presented hash with a stored hash (hex) in constant time. */
export const hashesEqual = (aHex: string, bHex: string): boolean => {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
};
