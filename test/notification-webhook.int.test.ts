import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@jetsaga/stack';
import { TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('notification delivery through a webhook that fails', () => {
  let t: TestStack;
  let server: Server;
  const requests: { key: string; body: { id: string } }[] = [];
  const accepted = new Set<string>();

  before(async () => {
    // a real receiver on loopback: it refuses the first 2 attempts of every notification
    const port = await freePort();
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const key = String(req.headers['idempotency-key']);
        requests.push({ key, body: JSON.parse(body) as { id: string } });
        const attempt = requests.filter((r) => r.key === key).length;
        if (attempt <= 2) return void res.writeHead(503).end('busy');
        accepted.add(key);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    t = await TestStack.start({
      serviceEnv: { notification: { JETSAGA_NOTIFY_SENDER: 'webhook', JETSAGA_NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${port}/hook` } },
    });
    await t.send('SetStock', { sku: 'cup', quantity: 5 });
    await t.send('SetPrice', { sku: 'cup', unitPrice: 900 });
    await t.send('CreditWallet', { customerId: 'mia', amount: 5_000 });
  });
  after(async () => {
    await t?.stop();
    server?.close();
  });

  it('retries with backoff and delivers each notification once, under one idempotency key', async () => {
    // when an order is confirmed
    await t.send('PlaceOrder', { orderId: 'hook-1', customerId: 'mia', items: [{ sku: 'cup', quantity: 1, unitPrice: 900 }] });
    // then the notification is delivered on the third attempt
    await waitFor(() => t.rows('notification', "SELECT status FROM notifications WHERE id = 'hook-1:confirmed' AND status = 'SENT'").length === 1 || undefined, {
      what: 'the notification to be sent',
    });
    const mine = requests.filter((r) => r.key === 'hook-1:confirmed');
    assert.equal(mine.length, 3);
    assert.ok(mine.every((r) => r.body.id === 'hook-1:confirmed'));
    assert.deepEqual([...accepted], ['hook-1:confirmed']);
    assert.deepEqual(t.rows('notification', "SELECT attempts, last_error FROM notifications WHERE id = 'hook-1:confirmed'"), [{ attempts: 2, last_error: null }]);
    const warnings = t.logsOf('notification', 'notification delivery failed; will retry');
    assert.equal(warnings.length, 2);
    await assertInvariants(t);
  });
});
