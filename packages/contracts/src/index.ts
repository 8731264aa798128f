// The wire contract of Quiver's /v1 API: TypeBox schemas and their inferred types.
export * from './catalog.ts';
export * from './common.ts';
export * from './endpoints.ts';
export * from './errors.ts';
export * from './event-log.ts';
export * from './events.ts';
export * from './features.ts';
export * from './inference.ts';
export * from './models.ts';
export * from './recommendations.ts';
export * from './search.ts';
export * from './stats.ts';
export * from './tenancy.ts';
export * from './trainers.ts';
export * from './usage.ts';
