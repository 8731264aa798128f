// The process: load config → build app → listen → drain and close on SIGTERM/SIGINT.
// `main.ts [all|serve|worker]`: the role argument (as `quiver serve`) wins over QUIVER_ROLE.
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config/index.ts';
import { startMetricsServer } from './http/index.ts';
import { startTracing } from './tracing/index.ts';

const start = async () => {
  let config: ReturnType<typeof loadConfig>;
  const role = process.argv[2];
  try {
    config = loadConfig(role === undefined ? process.env : { ...process.env, QUIVER_ROLE: role });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Quiver refuses to start: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  // Before the app: spans from its first request on (off unless OTEL_* names an exporter).
  const tracing = await startTracing();
  const { app, metrics, seeded, beginDrain } = await buildApp(config);
  if (tracing.enabled) app.log.info('tracing on (OpenTelemetry, configured by OTEL_*)');
  if (seeded.operatorKey || seeded.demoKey) {
    // Shown once, on the first start only; only hashes are stored.
    const lines = [
      '',
      'First start: new credentials (also in ' + seeded.credentialsFile + ', mode 0600):',
      seeded.operatorKey ? `  operator key: ${seeded.operatorKey}` : '',
      seeded.demoKey ? `  demo tenant key: ${seeded.demoKey}` : '',
      '',
    ];
    process.stdout.write(`${lines.filter((l, i) => l || i === 0 || i === lines.length - 1).join('\n')}\n`);
  }
  await app.listen({ port: config.port, host: config.host });
  app.log.info({ role: config.role }, 'role');
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsServer(metrics, { port: config.metricsPort, host: config.metricsHost });
  if (metricsServer)
    app.log.info({ port: metricsServer.port, host: config.metricsHost }, 'metrics listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'draining');
    beginDrain();
    await metricsServer?.close();
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    await app.close(); // stops accepting, waits for in-flight requests, then closes storage
    await tracing.shutdown(); // exports the spans still buffered
    app.log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
};

start().catch((error) => {
  process.stderr.write(`Quiver failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
