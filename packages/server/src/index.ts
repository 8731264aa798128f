// The server package's public surface: the composition root and configuration, for tests, bench and tools.
export { buildApp, MIGRATIONS, type QuiverApp } from './app.ts';
export { type Config, ConfigError, loadConfig } from './config/index.ts';
