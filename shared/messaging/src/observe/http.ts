import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HttpEndpointOptions {
  port: number;
  host?: string;
  /** The metrics, once there are (the endpoint starts before them: /metrics is 503 until then). */
  registry(): Registry | undefined;
  /** What stops the service from being ready (empty when ready). */
  notReady(): string[];
}

/**
 * `/metrics` (Prometheus), `/healthz` (the process is up: 200 from the start), `/readyz` (200
 * when nothing stops the service, else 503 with the reasons: NATS, db, consumers).
 */
export function startHttpEndpoint(o: HttpEndpointOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const registry = o.registry();
    if (path === '/metrics' && !registry) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('starting: no metrics yet\n');
    } else if (path === '/metrics' && registry) {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const problems = o.notReady();
      res.writeHead(problems.length ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ ready: problems.length === 0, problems }));
    } else {
      res.writeHead(404).end('not found: try /metrics, /healthz or /readyz');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => resolve(server));
  });
}
