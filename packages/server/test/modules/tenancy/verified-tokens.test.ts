// A key sent again is not hashed again, but only while the cache holds the credential it was checked against.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sha256 } from '../../../src/kernel/index.ts';
import type { Credential } from '../../../src/modules/tenancy/principal.ts';
import { createVerifiedTokens } from '../../../src/modules/tenancy/verified-tokens.ts';

const SECRET = 'qk_key_abc_secret';

const credential = (): Credential => ({
  hash: sha256(SECRET),
  revoked: false,
  expiresAtMs: Number.POSITIVE_INFINITY,
  principal: { kind: 'tenant', tenantId: 't', keyId: 'key_abc', scopes: new Set(), limits: {} as never },
});

/** sha256, counting its calls. */
const countingHash = () => {
  const h = {
    calls: 0,
    hash: (token: string) => {
      h.calls++;
      return sha256(token);
    },
  };
  return h;
};

describe('verified tokens', () => {
  test('the right secret is hashed once per credential object, then recognized without hashing', () => {
    const h = countingHash();
    const tokens = createVerifiedTokens(h.hash);
    const cached = credential();
    assert.equal(tokens.matches(SECRET, cached), true);
    assert.equal(tokens.matches(SECRET, cached), true);
    assert.equal(tokens.matches(SECRET, cached), true);
    assert.equal(h.calls, 1);
  });

  test('a credential reloaded from the database (revocation, cache clear) is checked again', () => {
    const h = countingHash();
    const tokens = createVerifiedTokens(h.hash);
    assert.equal(tokens.matches(SECRET, credential()), true);
    const reloaded = credential();
    assert.equal(tokens.matches(SECRET, reloaded), true);
    assert.equal(h.calls, 2);
    const rotated = { ...credential(), hash: sha256('qk_key_abc_other') };
    assert.equal(tokens.matches(SECRET, rotated), false, 'a remembered token does not outlive its hash');
  });

  test('a wrong secret is refused every time and never remembered', () => {
    const h = countingHash();
    const tokens = createVerifiedTokens(h.hash);
    const cached = credential();
    assert.equal(tokens.matches(SECRET, cached), true);
    assert.equal(tokens.matches(`${SECRET}x`, cached), false);
    assert.equal(tokens.matches(`${SECRET}x`, cached), false);
    assert.equal(h.calls, 3);
  });
});
