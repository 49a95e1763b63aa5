/**
 * The HTTP side of a node: Prometheus metrics on /metrics, liveness on /health (the process answers)
 * and readiness on /ready (every storage answers), for load balancers and orchestrators.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

export interface HttpEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

export interface HttpOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  /** Resolves when the node can serve queries; rejects with the reason when it cannot. */
  readonly ready: () => Promise<void>;
  readonly logger: Logger;
}

export async function startHttp(options: HttpOptions): Promise<HttpEndpoint> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/health') return reply(200, 'ok\n');
    if (path === '/ready') {
      options.ready().then(
        () => reply(200, 'ready\n'),
        (e: unknown) => reply(503, `not ready: ${(e as Error).message}\n`),
      );
      return;
    }
    if (path === '/metrics') {
      options.registry.metrics().then(
        (text) => reply(200, text, options.registry.contentType),
        (e: unknown) => reply(500, `metrics failed: ${(e as Error).message}\n`),
      );
      return;
    }
    reply(404, 'not found\n');
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
