import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { connect, JSONCodec, type NatsConnection, type NatsError, RequestStrategy } from 'nats';
import { querySubject, sagasQuery, statusQuery, stepsQuery } from '@jetsaga/events';
import { connectionOptions, queryService, sendCommand } from '@jetsaga/messaging/ops';
import { runCli } from './support/cli.js';
import { TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

const services = ['order', 'inventory', 'payment', 'loyalty', 'notification'] as const;

/**
 * Operating from anywhere: every service is a NATS micro service answering its queries, and
 * the CLI needs nothing but NATS (a data dir with none of the services' files, the operator's
 * key): status, sagas, trace, saga cancel, reconcile; exit codes and --json.
 */
describe('operating over NATS only: micro endpoints, the CLI, cancel and reconcile', () => {
  let t: TestStack;
  let operator: NatsConnection;
  let cli: (...args: string[]) => ReturnType<typeof runCli>;

  before(async () => {
    t = await TestStack.start({ services, env: { JETSAGA_ORDER_DEADLINE_MS: '120000' } });
    operator = await connect(connectionOptions(t.stack.access('operator')));
    const elsewhere = mkdtempSync(join(tmpdir(), 'jetsaga-operator-'));
    const key = t.stack.auth ? ['--nkey', join(t.stack.dataDir, 'auth', 'operator.nk')] : [];
    cli = (...args) => runCli(['--nats', t.stack.natsUrl, ...key, '--data-dir', elsewhere, ...args]);
    await t.send('SetStock', { sku: 'mug', quantity: 20 });
    await t.send('SetPrice', { sku: 'mug', unitPrice: 800 });
    await t.send('CreditWallet', { customerId: 'ada', amount: 50_000 });
    await t.send('PlaceOrder', { orderId: 'op-1', customerId: 'ada', items: [{ sku: 'mug', quantity: 2, unitPrice: 800 }] });
    await t.send('PlaceOrder', { orderId: 'op-2', customerId: 'ada', items: [{ sku: 'mug', quantity: 99, unitPrice: 800 }] });
    await t.waitForSagaEvents('op-1', 5);
    await t.waitForSagaEvents('op-2', 3);
    await t.waitForQuiescence();
  });
  after(async () => {
    await operator?.close();
    await t?.stop();
  });

  it('shows every service to `nats micro ls|info|stats` (the $SRV protocol), with its query endpoints', async () => {
    const client = operator.services.client({ strategy: RequestStrategy.JitterTimer, maxWait: 3000, jitter: 500 } as never);
    const pinged = [];
    for await (const p of await client.ping()) pinged.push(p.name);
    assert.deepEqual(pinged.sort(), [...services].sort());
    const infos = [];
    for await (const i of await client.info('order')) infos.push(i);
    assert.equal(infos.length, 1);
    assert.deepEqual(infos[0]!.endpoints.map((e) => e.subject).sort(), ['jetsaga.order.sagas', 'jetsaga.order.sides', 'jetsaga.order.status', 'jetsaga.order.steps']);
    const stats = [];
    for await (const s of await client.stats('inventory')) stats.push(s);
    assert.deepEqual(stats[0]!.endpoints!.map((e) => e.name).sort(), ['sides', 'status', 'steps']);
  });

  it('answers the versioned queries, and refuses a version it does not serve', async () => {
    const status = await queryService(operator, 'payment', statusQuery, {});
    assert.equal(status.service, 'payment');
    assert.equal(status.ready, true);
    assert.ok(status.consumers.some((c) => c.consumer === 'payment-StockReserved'));
    const steps = await queryService(operator, 'inventory', stepsQuery, { sagaId: 'op-1' });
    assert.deepEqual(steps.steps.map((s) => `${s.step} ${s.status}`), ['inventory-OrderCreated done', 'inventory-OrderConfirmed done']);
    const page = await queryService(operator, 'order', sagasQuery, { limit: 1 });
    assert.deepEqual(page.sagas.map((s) => s.sagaId), ['op-2'], 'newest first');
    const next = await queryService(operator, 'order', sagasQuery, { limit: 1, before: page.next! });
    assert.deepEqual(next.sagas.map((s) => s.sagaId), ['op-1']);
    assert.equal(next.next, null);
    const reply = await operator.request(querySubject('order', 'status'), JSONCodec().encode({ version: 2 }), { timeout: 3000 });
    assert.equal(reply.headers?.get('Nats-Service-Error-Code'), '400');
    assert.match(reply.headers?.get('Nats-Service-Error') ?? '', /version 2 is not served/);
  });

  it('lets a service answer only its own queries, and the console identity only read, re-drive and cancel', async (ctx) => {
    if (!t.stack.auth) return ctx.skip('NATS_URL: the given server has no jetsaga identities');
    // inventory cannot listen on order's queries (it would answer in order's name)
    const inventory = await connect(connectionOptions(t.stack.access('inventory')));
    const errors: string[] = [];
    void (async () => {
      for await (const s of inventory.status()) errors.push(`${s.type} ${String(s.data)}`);
    })();
    const sub = inventory.subscribe('jetsaga.order.>');
    await waitFor(() => errors.some((e) => /PERMISSIONS_VIOLATION/.test(e)) || undefined, { what: 'the refusal' });
    await sub.closed;
    await inventory.close();
    // the console may read and cancel, but not place orders or credit wallets
    const consoleNc = await connect(connectionOptions(t.stack.access('console')));
    try {
      const refusal = await sendCommand(consoleNc.jetstream(), 'CreditWallet', { customerId: 'ada', amount: 1 }).then(
        () => 'allowed',
        (err: NatsError) => `${err.code}: ${err.message}`,
      );
      assert.match(refusal, /PERMISSIONS_VIOLATION.*cmd\.payment\.CreditWallet/);
      assert.equal((await queryService(consoleNc, 'order', sagasQuery, {})).sagas.length, 2);
    } finally {
      await consoleNc.close();
    }
  });

  it('prints the version, and exits 2 on a usage error', async () => {
    const version = await cli('--version');
    assert.deepEqual([version.code, version.stdout.trim()], [0, '0.1.0']);
    const bad = await cli('sagas', '--since', 'yesterday');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a duration/);
    const unknown = await cli('status', '--bogus');
    assert.equal(unknown.code, 2);
  });

  it('says what is wrong with a bad amount or account of a transfer or deposit (exit 2), before connecting', async () => {
    const amount = await cli('transfer', 'a:alice', 'b:bob', 'ten');
    assert.equal(amount.code, 2);
    assert.match(amount.stderr, /"ten" is not a whole number >= 1/);
    const account = await cli('transfer', 'alice', 'b:bob', '5');
    assert.equal(account.code, 2);
    assert.match(account.stderr, /"alice" is not bank:account/);
    const deposit = await cli('bank', 'deposit', 'a', 'alice', '0');
    assert.equal(deposit.code, 2);
    assert.match(deposit.stderr, /"0" is not a whole number >= 1/);
  });

  it('lists sagas and traces one with no file access (--json)', async () => {
    const sagas = await cli('sagas', '--json');
    assert.equal(sagas.code, 0, sagas.stderr);
    assert.deepEqual((JSON.parse(sagas.stdout) as { counts: Record<string, number> }).counts, { CONFIRMED: 1, CANCELLED: 1 });
    const trace = await cli('trace', 'op-1', '--json');
    assert.equal(trace.code, 0, trace.stderr);
    const body = JSON.parse(trace.stdout) as { events: { type: string }[]; steps: { service: string; step: string; outcome: string; input: number | string }[] };
    const core = ['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted'];
    assert.deepEqual(body.events.map((e) => e.type).filter((type) => core.includes(type)), core);
    assert.ok(body.steps.some((s) => s.service === 'loyalty' && s.step === 'loyalty-OrderConfirmed' && s.outcome === 'done'), 'the steps of every service');
  });

  it('cancels a saga that is not over (every participant compensates) and refuses one that is, with the reason', async () => {
    // given an order waiting for payment, which is down
    await t.stack.service('payment').stop();
    await t.send('PlaceOrder', { orderId: 'op-3', customerId: 'ada', items: [{ sku: 'mug', quantity: 1, unitPrice: 800 }] });
    await t.waitForSagaEvents('op-3', 2);
    // when the operator cancels it
    const cancelled = await cli('saga', 'cancel', 'op-3', '--reason', 'stuck in payment', '--json');
    // then it is cancelled (manual), and its hold released
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal((JSON.parse(cancelled.stdout) as { outcome: string }).outcome, 'cancelled');
    await waitFor(async () => ((await t.sagaTypes('op-3')).includes('StockReleased') ? true : undefined), { what: 'the hold released' });
    await t.stack.service('payment').start();
    // and a confirmed order is refused, saying why (exit 1)
    const refused = await cli('saga', 'cancel', 'op-1', '--reason', 'changed my mind');
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /refused: saga op-1 was not cancelled \(already_over, it is CONFIRMED\)/);
    assert.ok((await t.sagaTypes('op-1')).includes('CancelRejected'));
    assert.deepEqual(t.rows('order', 'SELECT status FROM orders WHERE order_id = ?', 'op-1'), [{ status: 'CONFIRMED' }]);
    await assertInvariants(t);
  });

  it('reconciles: consistent sagas exit 0; a payment that disagrees with its order is listed, exit 3', async () => {
    await t.waitForQuiescence();
    const clean = await cli('reconcile', '--settle', '0', '--json');
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    const report = JSON.parse(clean.stdout) as { checked: number; disagreements: unknown[]; services: string[] };
    assert.equal(report.checked, 3);
    assert.deepEqual(report.services.sort(), [...services].sort());
    // when payment's record of op-1 goes wrong behind the saga's back (a bug, a bad restore)
    const payment = new Database(t.stack.dbPath('payment'));
    payment.prepare("UPDATE payments SET status = 'REFUNDED' WHERE order_id = 'op-1'").run();
    payment.close();
    // then reconcile names the saga and what disagrees, and payment's broken money invariant
    const found = await cli('reconcile', '--settle', '0', '--since', '1h');
    assert.equal(found.code, 3, found.stdout + found.stderr);
    assert.match(found.stdout, /op-1: order CONFIRMED but payment is REFUNDED/);
    assert.match(found.stdout, /invariant: payment: money: wallets \d+ \+ captured \d+ != credited \d+/);
    const status = await cli('status');
    assert.equal(status.code, 0, 'status is about the running system, not the records');
  });
});

describe('a trace links the sagas a kept hold went between', () => {
  let t: TestStack;
  before(async () => {
    t = await TestStack.start({ services: ['order', 'inventory', 'payment'], serviceEnv: { inventory: { JETSAGA_STOCK_RELEASE_DELAY_MS: '60000' } } });
  });
  after(() => t?.stop());

  it("names the re-order that took over a cancelled order's kept hold, and the other way round", async () => {
    // given ivy's order failed for funds (its hold kept for her), and her re-order took it over
    await t.send('SetStock', { sku: 'kiwi', quantity: 5 });
    await t.send('SetPrice', { sku: 'kiwi', unitPrice: 300 });
    await t.send('CreditWallet', { customerId: 'ivy', amount: 100 });
    await t.waitForQuiescence();
    await t.send('PlaceOrder', { orderId: 'kept-1', customerId: 'ivy', items: [{ sku: 'kiwi', quantity: 2, unitPrice: 300 }] });
    await waitFor(async () => ((await t.sagaTypes('kept-1')).includes('OrderCancelled') ? true : undefined), { what: 'the cancellation' });
    await t.waitForQuiescence();
    await t.send('CreditWallet', { customerId: 'ivy', amount: 10_000 });
    await t.send('PlaceOrder', { orderId: 'kept-2', customerId: 'ivy', items: [{ sku: 'kiwi', quantity: 2, unitPrice: 300 }] });
    await waitFor(async () => ((await t.sagaTypes('kept-1')).includes('StockHoldTransferred') ? true : undefined), { what: 'the transfer' });
    const key = t.stack.auth ? ['--nkey', join(t.stack.dataDir, 'auth', 'operator.nk')] : [];
    const trace = async (id: string) => {
      const r = await runCli(['--nats', t.stack.natsUrl, ...key, '--data-dir', mkdtempSync(join(tmpdir(), 'jetsaga-operator-')), 'trace', id, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { links: { sagaId: string; relation: string; via: string }[] }).links;
    };
    // then each trace links to the other
    assert.deepEqual(await trace('kept-1'), [{ sagaId: 'kept-2', relation: 'its kept hold went to', via: 'StockHoldTransferred' }]);
    assert.deepEqual(await trace('kept-2'), [{ sagaId: 'kept-1', relation: 'took over the kept hold of', via: 'StockHoldTransferred' }]);
  });
});
