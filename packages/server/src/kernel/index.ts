// The kernel: errors, ids, clock and JSON helpers, free of I/O.
export * from './clock.ts';
export * from './coalesce.ts';
export * from './cursor.ts';
export * from './errors.ts';
export * from './failure-run.ts';
export * from './ids.ts';
export * from './json.ts';
export * from './module.ts';
export * from './principal.ts';
export * from './random.ts';
export * from './roles.ts';
export * from './top-k.ts';
export * from './tracing.ts';
export * from './validate.ts';
export * from './warm-up.ts';
export * from './worker-source.ts';
