// A stored API key as authentication checks it; the principal it stands for is the kernel's.
import type { TenantPrincipal } from '../../kernel/index.ts';

export { actorOf, hasScope, type Principal, type TenantPrincipal, userIdFor } from '../../kernel/index.ts';

/** A stored API key as authentication checks it, with its principal built once. */
export interface Credential {
  hash: Buffer;
  revoked: boolean;
  expiresAtMs: number;
  principal: TenantPrincipal;
}
