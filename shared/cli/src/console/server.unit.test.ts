import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NatsConnection } from 'nats';
import { consoleApp, parsePublicUrl } from './server.js';

/** The app as `jetsaga console --host 0.0.0.0 --port 8480 --public-url <publicUrl>` serves it (no broker: these requests never reach it). */
const app = (host: string, publicUrl?: string) => consoleApp({ nc: {} as NatsConnection, host, port: 8480, publicUrl, origin: () => `http://${host}:8480` });

describe('the console behind its public URL (--public-url)', () => {
  it('serves requests for the public host on a non-loopback bind address, and refuses any other Host (421)', async () => {
    const served = app('0.0.0.0', 'https://console.example.com');
    assert.equal((await served.request('/', { headers: { host: 'console.example.com' } })).status, 200);
    for (const host of ['0.0.0.0:8480', 'evil.example.com', 'console.example.com:8480', 'localhost:8480']) {
      assert.equal((await served.request('/', { headers: { host } })).status, 421, host);
    }
    const plain = app('10.0.0.5', 'http://server:8480');
    assert.equal((await plain.request('/', { headers: { host: 'server:8480' } })).status, 200);
    assert.equal((await plain.request('/', { headers: { host: 'server' } })).status, 421);
  });

  it('takes changes from the public origin only (403 from another, the bind address included)', async () => {
    const served = app('0.0.0.0', 'https://console.example.com');
    const post = (origin: string) =>
      served.request('/api/sagas/o-1/cancel', { method: 'POST', headers: { host: 'console.example.com', origin, 'content-type': 'application/json' }, body: '{}' });
    // from its own origin the request gets past the CSRF check (to the handler: no reason, 400)
    assert.equal((await post('https://console.example.com')).status, 400);
    for (const origin of ['http://console.example.com', 'http://0.0.0.0:8480', 'https://evil.example.com']) assert.equal((await post(origin)).status, 403, origin);
  });

  it('on loopback with a public URL (a local TLS proxy) also serves this machine', async () => {
    const served = app('127.0.0.1', 'https://console.example.com');
    for (const host of ['console.example.com', '127.0.0.1:8480', 'localhost:8480']) assert.equal((await served.request('/', { headers: { host } })).status, 200, host);
    assert.equal((await served.request('/', { headers: { host: 'evil.example.com' } })).status, 421);
  });

  it('reads a public URL as an origin, and refuses a path, credentials or another scheme', () => {
    assert.equal(parsePublicUrl('https://console.example.com/'), 'https://console.example.com');
    assert.equal(parsePublicUrl('http://server:8480'), 'http://server:8480');
    assert.equal(parsePublicUrl('https://console.example.com:443'), 'https://console.example.com');
    for (const bad of ['console.example.com', 'ftp://server', 'https://example.com/console', 'https://u:p@example.com', 'https://example.com/?a=1']) {
      assert.throws(() => parsePublicUrl(bad), /--public-url/, bad);
    }
  });
});
