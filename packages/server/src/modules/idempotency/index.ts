// The idempotency module's public surface.

export { answerInTx } from './answer.ts';
export { idempotencyMigrations } from './migrations.ts';
export { DEFAULT_LEASE_MS, IDEMPOTENCY_TTL_MS, registerIdempotency } from './plugin.ts';
