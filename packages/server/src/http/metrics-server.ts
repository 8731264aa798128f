// The optional separate metrics listener (QUIVER_METRICS_PORT): GET /metrics without a key, for a Prometheus
// scraping on the same host; bound to 127.0.0.1 by default, so tenant and model names stay off the network.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics/index.ts';

export interface MetricsServer {
  /** The port it listens on (useful when asked for port 0). */
  readonly port: number;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

export const startMetricsServer = async (
  metrics: Metrics,
  options: { port: number; host: string },
): Promise<MetricsServer> => {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: only GET /metrics here\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
