// Configuration: the schema, its defaults and the loader.
export { ConfigError, loadConfig } from './load.ts';
export { type Config, ConfigSchema, DEFAULT_RATE_LIMITS, ENV_VARS } from './schema.ts';
