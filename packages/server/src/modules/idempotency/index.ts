// The idempotency module's public surface.
export { idempotencyMigrations } from './migrations.ts';
export { IDEMPOTENCY_TTL_MS, registerIdempotency } from './plugin.ts';
