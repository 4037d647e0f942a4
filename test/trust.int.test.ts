import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection, type NatsError } from 'nats';
import { connectionOptions, STREAMS } from '@jetsaga/messaging/ops';
import { NatsServer, provisionStreams, ServiceProcess, serviceDefinitions, StackAuth } from '@jetsaga/stack';
import { runCli } from './support/cli.js';
import { coreServices, TestStack, waitFor } from './support/harness.js';

/**
 * The stack's own broker trusts nobody: anonymous clients are refused, and each identity may
 * do only its job. (Skipped parts need the stack's own broker: with NATS_URL there are no
 * identities to check.)
 */
describe('an authenticated, least-privilege broker', { skip: process.env.NATS_URL ? 'NATS_URL: the given server has no jetsaga identities' : false }, () => {
  let t: TestStack;
  let inventory: NatsConnection;

  before(async () => {
    t = await TestStack.start({ services: coreServices });
    inventory = await connect(connectionOptions(t.stack.access('inventory')));
  });
  after(async () => {
    await inventory?.close();
    await t?.stop();
  });

  const refusal = async (work: Promise<unknown>): Promise<string> => {
    try {
      await work;
    } catch (err) {
      return `${(err as NatsError).code}: ${(err as Error).message}`;
    }
    assert.fail('the broker allowed it');
  };

  it('refuses an anonymous client', async () => {
    const why = await refusal(connect({ servers: t.stack.natsUrl, timeout: 3000, reconnect: false }));
    assert.match(why, /AUTHORIZATION_VIOLATION/);
  });

  it("refuses inventory's identity a forged payment, and the order it names stays as it was", async () => {
    // given an order the attacker wants confirmed without paying
    await t.send('PlaceOrder', { orderId: 'forged-1', customerId: 'nobody', items: [{ sku: 'apple', quantity: 1, unitPrice: 100 }] });
    await t.waitForSagaEvents('forged-1', 2); // OrderCreated, StockReservationFailed (no stock)
    await t.waitForQuiescence();
    const before = t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', 'forged-1');
    // when inventory's identity publishes a PaymentSucceeded with the right facts
    const why = await refusal(inventory.jetstream().publish('evt.payment.PaymentSucceeded.forged-1.nobody', '{}'));
    // then the broker refuses it, and nothing changes
    assert.match(why, /PERMISSIONS_VIOLATION.*evt\.payment\.PaymentSucceeded/);
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', 'forged-1'), before);
  });

  it('refuses a service stream deletes, consumers of other names, and stream creation', async () => {
    const jsm = await inventory.jetstreamManager();
    assert.match(await refusal(jsm.streams.delete(STREAMS.events)), /PERMISSIONS_VIOLATION.*STREAM\.DELETE\.EVENTS/);
    assert.match(await refusal(jsm.streams.purge(STREAMS.dlq)), /PERMISSIONS_VIOLATION.*STREAM\.PURGE\.DLQ/);
    assert.match(await refusal(jsm.streams.add({ name: 'MINE', subjects: ['mine.>'] })), /PERMISSIONS_VIOLATION.*STREAM\.CREATE/);
    const theirs = { durable_name: 'payment-StockReserved', ack_policy: 'explicit', filter_subject: 'evt.inventory.StockReserved.>' } as const;
    assert.match(await refusal(jsm.consumers.add(STREAMS.events, theirs as never)), /PERMISSIONS_VIOLATION.*CONSUMER\.CREATE\.EVENTS\.payment-StockReserved/);
    assert.ok((await (await t.nc.jetstreamManager()).streams.info(STREAMS.events)).config.name, 'EVENTS is still there');
  });

  it("does not let a service read another service's replies", async () => {
    const statuses: string[] = [];
    void (async () => {
      for await (const s of inventory.status()) statuses.push(`${s.type} ${String(s.data)}`);
    })();
    const sub = inventory.subscribe('_INBOX_payment.>');
    await waitFor(() => statuses.some((s) => /PERMISSIONS_VIOLATION/.test(s)) || undefined, { what: 'the refusal of the subscription' });
    await sub.closed;
    assert.equal(sub.getReceived(), 0);
  });

  it("refuses the operator a pull from, or the deletion of, a service's durable consumer", async () => {
    const operator = await connect(connectionOptions(t.stack.access('operator')));
    try {
      const jsm = await operator.jetstreamManager();
      assert.match(await refusal(jsm.consumers.delete(STREAMS.commands, 'order-PlaceOrder')), /PERMISSIONS_VIOLATION.*CONSUMER\.DELETE\.COMMANDS\.order-PlaceOrder/);
      const pull = operator.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAMS.events}.inventory-OrderCreated`, JSON.stringify({ batch: 1, expires: 1_000_000_000 }), { timeout: 2000 });
      assert.match(await refusal(pull), /PERMISSIONS_VIOLATION.*MSG\.NEXT\.EVENTS\.inventory-OrderCreated/);
    } finally {
      await operator.close();
    }
  });

  it("does not let a query's reply subject aim a service at the JetStream API", async () => {
    const operator = await connect(connectionOptions(t.stack.access('operator')));
    try {
      const before = (await t.jsm.streams.info(STREAMS.events)).state.messages;
      assert.ok(before > 0);
      // a status request whose reply subject is a purge of EVENTS
      operator.publish('jetsaga.order.status', JSON.stringify({ version: 1 }), { reply: `$JS.API.STREAM.PURGE.${STREAMS.events}` });
      // an honest request right after it is answered: the first one had its chance
      assert.ok((await operator.request('jetsaga.order.status', JSON.stringify({ version: 1 }), { timeout: 5000 })).data.length > 0);
      assert.equal((await t.jsm.streams.info(STREAMS.events)).state.messages, before);
    } finally {
      await operator.close();
    }
  });

  it('lets the CLI, with the operator key the stack made, do its job', async () => {
    const result = await runCli(['--nats', t.stack.natsUrl, '--data-dir', t.stack.dataDir, 'stock', 'set', 'cli-sku', '4']);
    assert.equal(result.code, 0, result.stderr);
    await waitFor(() => t.rows('inventory', "SELECT available FROM stock WHERE sku = 'cli-sku'")[0], { what: 'the stock the CLI set' });
  });
});

describe('a service that may not create the streams', { skip: process.env.NATS_URL ? 'needs its own broker' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-unprovisioned-'));
  let server: NatsServer;
  let service: ServiceProcess;
  const lines: string[] = [];
  after(async () => {
    await service?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says which stream is missing, waits, and starts once `jetsaga provision` made them', async () => {
    // given a secured broker with no streams yet
    const auth = new StackAuth(dir, Object.values(serviceDefinitions));
    const storeDir = join(dir, 'nats');
    server = await NatsServer.start({ storeDir, secured: auth.secured(storeDir) });
    // when payment starts first
    service = new ServiceProcess({
      service: 'payment',
      env: { ...process.env, ...auth.env('payment'), NATS_URL: server.url, JETSAGA_DATA_DIR: dir, LOG_LEVEL: 'info' },
      onLine: (_s, line) => lines.push(line),
    });
    const started = service.start();
    // then it says what is missing and keeps waiting
    await waitFor(() => lines.find((l) => /stream (EVENTS|COMMANDS|DLQ) is missing/.test(l) && /jetsaga provision/.test(l)), { what: 'a line naming the missing stream and `jetsaga provision`' });
    assert.equal(service.running, true);
    // and once the admin provisions, it is ready
    await provisionStreams(auth.access('admin', [server.url]));
    await started;
  });
});
