// Idempotency keys on POST (an HTTP concern): the plugin, the in-transaction answer hook, the claim table.

export { answerInTx } from './answer.ts';
export { idempotencyMigrations } from './migrations.ts';
export { DEFAULT_LEASE_MS, IDEMPOTENCY_TTL_MS, registerIdempotency } from './plugin.ts';
