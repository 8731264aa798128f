// The tenancy module's authentication failures, shared by API keys and scoped keys.
import { QuiverError } from '../../kernel/index.ts';

/** Unknown, forged, revoked or expired-by-its-parent: one answer, never saying which. */
export const denied = () =>
  new QuiverError('unauthenticated', 'The API key is unknown, expired or revoked', {
    challenge: 'invalid_token',
  });

/** Only for a genuine (signature-checked) scoped key past its expiry: the client should mint a new one. */
export const expired = () =>
  new QuiverError('key_expired', 'The scoped key has expired; mint a new one', {
    challenge: 'token_expired',
  });

export const invalid = (path: string, message: string) =>
  new QuiverError('validation_failed', `${path.slice(1)} ${message}`, { errors: [{ path, message }] });
