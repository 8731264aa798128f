// Which raw API keys were already checked against which cached credential, so a key sent again is not hashed
// again (SHA-256 per request was 1–3% of a cached item read). Looked up by the whole token in a Map (no
// early-exit comparison of secret bytes: the token's hash picks the slot), and answered only while the auth
// cache still holds the very credential object the token was checked against: a revocation, a limits change
// or any cache clear makes a new object, so the next request is checked (and refused) from the database row.
import { timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../kernel/index.ts';
import type { Credential } from './principal.ts';

const MAX_TOKENS = 10_000;

export interface VerifiedTokens {
  /** Whether `token` is the secret `credential.hash` was made from (constant-time on a first check). */
  matches(token: string, credential: Credential): boolean;
}

export const createVerifiedTokens = (hash: (token: string) => Buffer = sha256): VerifiedTokens => {
  const checked = new Map<string, Credential>();
  return {
    matches(token, credential) {
      if (checked.get(token) === credential) return true;
      if (!timingSafeEqual(hash(token), credential.hash)) return false;
      // Only genuine keys are kept, so made-up tokens cannot evict them; a full map starts over.
      if (checked.size >= MAX_TOKENS) checked.clear();
      checked.set(token, credential);
      return true;
    },
  };
};
