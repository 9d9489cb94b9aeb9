import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerConfig {
  port: number;
  host?: string;
}

export interface MetricsServerDeps {
  registry: Registry;
  /** Ready = the service's dependencies answer; a thrown error counts as not ready. */
  isReady?: () => Promise<boolean> | boolean;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves /metrics, /health/live and /health/ready for a worker. */
export async function startMetricsServer(config: MetricsServerConfig, deps: MetricsServerDeps): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (path === '/metrics') {
      deps.registry.metrics().then(
        (text) => reply(200, text, deps.registry.contentType),
        (error: Error) => reply(500, JSON.stringify({ status: 'error', message: error.message })),
      );
    } else if (path === '/health/live') {
      reply(200, JSON.stringify({ status: 'ok' }));
    } else if (path === '/health/ready') {
      Promise.resolve()
        .then(() => (deps.isReady ? deps.isReady() : true))
        .catch(() => false)
        .then((ready) => reply(ready ? 200 : 503, JSON.stringify({ status: ready ? 'ok' : 'not ready' })));
    } else {
      reply(404, JSON.stringify({ status: 'error', message: `no route ${path}` }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host ?? '0.0.0.0', () => resolve());
  });
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () => (closed ??= new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); })),
  };
}
