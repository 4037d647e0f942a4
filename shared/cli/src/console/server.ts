import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { html, raw } from 'hono/html';
import { streamSSE } from 'hono/streaming';
import { decodeMessage, tokenId } from '@jetsaga/events';
import {
  cancelSaga,
  type DeadLetterEntry,
  discoverServices,
  dropDeadLetter,
  listDeadLetters,
  listSagas,
  readSagaTrace,
  redriveDeadLetter,
  systemStatus,
} from '@jetsaga/messaging/ops';
import type { NatsConnection } from 'nats';

export interface ConsoleOptions {
  nc: NatsConnection;
  host: string;
  port: number;
  /** `user:password` for HTTP basic auth; required on a host that is not loopback. */
  credentials?: { user: string; password: string };
  /**
   * The URL users open (`https://console.example.com`, through a TLS proxy, or `http://server:8480`):
   * requests are taken for its host, and changes from its origin, instead of the bind address's.
   * Required on a host that is not loopback (see `parsePublicUrl`).
   */
  publicUrl?: string;
  /** Who the console is on the bus (the envelope producer of what it sends). */
  producer?: string;
}

export interface RunningConsole {
  /** Where it listens. */
  url: string;
  /** The URL users open: `publicUrl`, else `url`. */
  publicUrl: string;
  close(): Promise<void>;
}

/** Whether clients other than this machine's can reach `host`. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * A `--public-url`: an http(s) URL with no path, query, fragment or credentials (the page's
 * links are absolute, from `/`), as its origin (`https://console.example.com`). Throws why not.
 */
export function parsePublicUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--public-url wants a URL such as https://console.example.com, not "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--public-url wants http: or https:, not "${url.protocol}"`);
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new Error(`--public-url is where the console is, with no path, query, fragment or credentials: "${text}" (serve it at the root of its own host name)`);
  }
  return url.origin;
}

const asset = (specifier: string) => readFileSync(fileURLToPath(import.meta.resolve(specifier)), 'utf8');
const own = (file: string) => readFileSync(new URL(`./assets/${file}`, import.meta.url), 'utf8');

/** The page's scripts and styles: the app as written (no build step), preact and htm from their packages. */
function assets(): Record<string, { type: string; body: string }> {
  const js = 'text/javascript; charset=utf-8';
  return {
    'preact.mjs': { type: js, body: asset('preact') },
    'hooks.mjs': { type: js, body: asset('preact/hooks') },
    'htm.mjs': { type: js, body: asset('htm') },
    'app.js': { type: js, body: own('app.js') },
    'app.css': { type: 'text/css; charset=utf-8', body: own('app.css') },
  };
}

/** The one HTML page; the app renders each route on the client. */
const page = () => html`<!doctype html>
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>jetsaga console</title>
      <link rel="stylesheet" href="/assets/app.css" />
      <script type="importmap">
        ${raw(JSON.stringify({ imports: { preact: '/assets/preact.mjs', 'preact/hooks': '/assets/hooks.mjs', htm: '/assets/htm.mjs' } }))}
      </script>
    </head>
    <body>
      <div id="app">loading...</div>
      <script type="module" src="/assets/app.js"></script>
    </body>
  </html>`;

const isSagaId = (s: string) => tokenId.safeParse(s).success;

/** A dead letter as the page lists it: no payload (that is for `GET /api/dlq/:seq`). */
function letterView(l: DeadLetterEntry) {
  const decoded = decodeMessage(l.data);
  const { envelope } = decoded;
  return {
    seq: l.seq,
    type: l.subject.split('.')[2] ?? '',
    service: l.subject.split('.')[1] ?? '',
    reason: l.reason,
    error: l.error,
    consumer: l.consumer,
    originalSubject: l.originalSubject,
    deliveries: l.deliveries,
    at: l.at,
    sagaId: envelope?.sagaId ?? null,
    bytes: l.data.byteLength,
  };
}

/** The console's HTTP app: the page, its assets, and a JSON API over NATS (never a db file). */
export function consoleApp(options: ConsoleOptions & { origin: () => string }): Hono {
  const { nc } = options;
  const files = assets();
  const app = new Hono();
  app.onError((err, c) => c.json({ error: err.message }, 500));
  // DNS rebinding: only requests for this server's own name (its public URL's when it has one;
  // on loopback, also its address's, for this machine).
  const publicOrigin = options.publicUrl === undefined ? undefined : parsePublicUrl(options.publicUrl);
  const allowedHosts = () => {
    const own = new URL(options.origin()).host;
    const port = own.split(':').at(-1);
    const local = isLoopback(options.host) ? [own, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`] : [own];
    return publicOrigin === undefined ? local : [new URL(publicOrigin).host, ...(isLoopback(options.host) ? local : [])];
  };
  const allowedOrigins = () => (publicOrigin === undefined ? [options.origin()] : [publicOrigin, ...(isLoopback(options.host) ? [options.origin()] : [])]);
  app.use('*', async (c, next) => {
    const host = c.req.header('host') ?? '';
    if (!allowedHosts().includes(host)) return c.text(`unexpected Host "${host}"`, 421);
    await next();
  });
  if (options.credentials) app.use('*', basicAuth({ username: options.credentials.user, password: options.credentials.password, realm: 'jetsaga console' }));
  // CSRF: what changes something is JSON from this origin only.
  app.use('/api/*', async (c, next) => {
    if (c.req.method !== 'GET') {
      const origin = c.req.header('origin');
      if (origin !== undefined && !allowedOrigins().includes(origin)) return c.json({ error: `cross-origin request from ${origin} refused` }, 403);
      if (!(c.req.header('content-type') ?? '').startsWith('application/json')) return c.json({ error: 'send JSON (Content-Type: application/json)' }, 415);
    }
    await next();
  });

  for (const path of ['/', '/dlq', '/services', '/sagas/:id']) app.get(path, (c) => c.html(page()));
  app.get('/assets/:file', (c) => {
    const f = files[c.req.param('file')];
    return f ? c.body(f.body, 200, { 'content-type': f.type, 'cache-control': 'no-cache' }) : c.notFound();
  });

  app.get('/api/sagas', async (c) => {
    const q = c.req.query();
    const before = q.before ? { createdAt: q.before.split('/')[0]!, sagaId: q.before.split('/')[1] ?? '' } : undefined;
    const listing = await listSagas(nc, {
      states: q.state ? q.state.split(',') : undefined,
      failed: q.failed === '1' || undefined,
      stuckForMs: q.stuck ? Number(q.stuck) : undefined,
      since: q.since ? new Date(Date.now() - Number(q.since)).toISOString() : undefined,
      search: q.search && isSagaId(q.search) ? q.search : undefined,
      before,
      limit: Math.min(200, Number(q.limit ?? 50) || 50),
    });
    return c.json(listing);
  });
  app.get('/api/sagas/:id', async (c) => {
    const sagaId = c.req.param('id');
    if (!isSagaId(sagaId)) return c.json({ error: 'not a saga id' }, 400);
    const services = await discoverServices(nc);
    const [trace, owners] = await Promise.all([readSagaTrace(nc, sagaId, services), listSagas(nc, { search: sagaId, limit: 5 }, services)]);
    return c.json({ ...trace, summary: owners.sagas.find((s) => s.sagaId === sagaId) ?? null });
  });
  app.post('/api/sagas/:id/cancel', async (c) => {
    const sagaId = c.req.param('id');
    const body = (await c.req.json().catch(() => ({}))) as { reason?: unknown };
    if (!isSagaId(sagaId)) return c.json({ error: 'not a saga id' }, 400);
    if (typeof body.reason !== 'string' || body.reason.trim() === '') return c.json({ error: 'say why (reason)' }, 400);
    return c.json(await cancelSaga(nc, sagaId, body.reason.trim(), { producer: options.producer ?? 'console' }));
  });

  app.get('/api/dlq', async (c) => {
    const letters = (await listDeadLetters(nc)).map(letterView);
    const groups = new Map<string, { reason: string; type: string; service: string; letters: ReturnType<typeof letterView>[] }>();
    for (const l of letters) {
      const key = `${l.reason}|${l.service}|${l.type}`;
      const g = groups.get(key) ?? { reason: l.reason, type: l.type, service: l.service, letters: [] };
      g.letters.push(l);
      groups.set(key, g);
    }
    return c.json({ total: letters.length, groups: [...groups.values()].sort((a, b) => b.letters.length - a.letters.length || a.reason.localeCompare(b.reason)) });
  });
  app.get('/api/dlq/:seq', async (c) => {
    const seq = Number(c.req.param('seq'));
    const letter = (await listDeadLetters(nc)).find((l) => l.seq === seq);
    if (!letter) return c.json({ error: `no dead letter ${seq}` }, 404);
    const text = Buffer.from(letter.data).toString('utf8');
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // not JSON: shown as text
    }
    return c.json({ ...letterView(letter), headers: letter.headers, payload });
  });
  const seqsOf = async (c: { req: { json(): Promise<unknown> } }) => {
    const body = (await c.req.json().catch(() => ({}))) as { seqs?: unknown };
    return Array.isArray(body.seqs) && body.seqs.every((s) => Number.isInteger(s) && s > 0) ? (body.seqs as number[]) : null;
  };
  app.post('/api/dlq/redrive', async (c) => {
    const seqs = await seqsOf(c);
    if (!seqs) return c.json({ error: 'give seqs: [n, ...]' }, 400);
    const results = [];
    for (const seq of seqs) {
      try {
        results.push({ seq, ok: true, ...(await redriveDeadLetter(nc, seq)) });
      } catch (err) {
        results.push({ seq, ok: false, error: (err as Error).message });
      }
    }
    return c.json({ results });
  });
  app.post('/api/dlq/drop', async (c) => {
    const seqs = await seqsOf(c);
    if (!seqs) return c.json({ error: 'give seqs: [n, ...]' }, 400);
    const results = [];
    for (const seq of seqs) {
      try {
        await dropDeadLetter(nc, seq);
        results.push({ seq, ok: true });
      } catch (err) {
        results.push({ seq, ok: false, error: (err as Error).message });
      }
    }
    return c.json({ results });
  });

  app.get('/api/services', async (c) => c.json(await systemStatus(nc)));

  // Live updates: the saga ids of events as they are stored (core subscription to evt.>), batched.
  app.get('/api/live', (c) =>
    streamSSE(c, async (stream) => {
      const sub = nc.subscribe('evt.>');
      let pending = new Set<string>();
      const flush = setInterval(() => {
        if (pending.size === 0) return;
        const sagas = [...pending];
        pending = new Set();
        void stream.writeSSE({ event: 'events', data: JSON.stringify({ sagas }) });
      }, 300);
      const ping = setInterval(() => void stream.writeSSE({ event: 'ping', data: '{}' }), 15_000);
      stream.onAbort(() => {
        clearInterval(flush);
        clearInterval(ping);
        sub.unsubscribe();
      });
      for await (const m of sub) {
        const saga = m.subject.split('.')[3];
        if (saga) pending.add(saga);
      }
    }),
  );
  return app;
}

/** Serves the console until closed. */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  let origin = '';
  const app = consoleApp({ ...options, origin: () => origin });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  origin = `http://${host}:${port}`;
  return {
    url: origin,
    publicUrl: options.publicUrl === undefined ? origin : parsePublicUrl(options.publicUrl),
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
