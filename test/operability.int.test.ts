import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { traceIdOf } from '@jetsaga/messaging/ops';
import { freePort } from '@jetsaga/stack';
import { runCli } from './support/cli.js';
import { coreServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';
import { sample } from './support/assertions.js';


/**
 * The CLI as an operator on another machine runs it: the broker's URL and the operator's key,
 * and a data dir with none of the services' files in it (the CLI reads NATS only).
 */
function remoteCli(t: TestStack) {
  const elsewhere = mkdtempSync(join(tmpdir(), 'jetsaga-operator-'));
  const key = t.stack.auth ? ['--nkey', join(t.stack.dataDir, 'auth', 'operator.nk')] : [];
  return (...args: string[]) => runCli(['--nats', t.stack.natsUrl, ...key, '--data-dir', elsewhere, ...args]);
}

describe('seeing a saga: trace, sagas, status, metrics, traceparent', () => {
  let t: TestStack;
  const ports: Record<string, number> = {};
  let cli: ReturnType<typeof remoteCli>;

  before(async () => {
    for (const s of coreServices) ports[s] = await freePort();
    t = await TestStack.start({ services: coreServices, serviceEnv: Object.fromEntries(coreServices.map((s) => [s, { JETSAGA_METRICS_PORT: String(ports[s]) }])) });
    cli = remoteCli(t);
    await t.send('SetStock', { sku: 'ink', quantity: 3 });
    await t.send('SetPrice', { sku: 'ink', unitPrice: 400 });
    await t.send('CreditWallet', { customerId: 'nina', amount: 10_000 });
    await t.send('PlaceOrder', { orderId: 'ops-happy-1', customerId: 'nina', items: [{ sku: 'ink', quantity: 1, unitPrice: 400 }] }, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    await t.send('PlaceOrder', { orderId: 'ops-short-1', customerId: 'nina', items: [{ sku: 'ink', quantity: 9, unitPrice: 400 }] });
    await t.waitForSagaEvents('ops-happy-1', 5);
    await t.waitForSagaEvents('ops-short-1', 3);
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  it('traces a finished saga in order, with what caused each event and the steps that handled them', async () => {
    // when
    const result = await cli('trace', 'ops-happy-1', '--json');
    // then
    assert.equal(result.code, 0, result.stderr);
    const trace = JSON.parse(result.stdout) as {
      events: { n: number; type: string; producer: string; causedBy: number | string | null; offsetMs: number }[];
      steps: { step: string; outcome: string }[];
    };
    assert.deepEqual(
      trace.events.map((e) => [e.n, e.producer, e.type, e.causedBy]),
      [
        [1, 'order', 'OrderCreated', trace.events[0]!.causedBy],
        [2, 'inventory', 'StockReserved', 1],
        [3, 'payment', 'PaymentSucceeded', 2],
        [4, 'order', 'OrderConfirmed', 3],
        [5, 'inventory', 'StockCommitted', 4],
      ],
    );
    assert.equal(typeof trace.events[0]!.causedBy, 'string', 'the first event was caused by the command');
    assert.ok(trace.events.every((e, i) => i === 0 || e.offsetMs >= trace.events[i - 1]!.offsetMs), 'offsets grow');
    assert.deepEqual(
      trace.steps.map((s) => `${s.step} ${s.outcome}`),
      ['order-PlaceOrder done', 'inventory-OrderCreated done', 'payment-StockReserved done', 'order-PaymentSucceeded done', 'inventory-OrderConfirmed done'],
    );
    const human = await cli('trace', 'ops-happy-1');
    const order = ['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted'].map((x) => human.stdout.indexOf(x));
    assert.ok(order.every((pos, i) => pos > 0 && (i === 0 || pos > order[i - 1]!)), 'the table lists the events in order');
    assert.ok(human.stdout.split('\n').every((l) => l.length <= 80), 'fits 80 columns');
  });

  it('says so when a saga id is unknown', async () => {
    const result = await cli('trace', 'no-such-saga');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no events for saga "no-such-saga"/);
  });

  it("lists sagas by state from order's sagas query, with counts", async () => {
    const failed = await cli('sagas', '--failed', '--json');
    assert.equal(failed.code, 0, failed.stderr);
    const body = JSON.parse(failed.stdout) as { counts: Record<string, number>; sagas: { sagaId: string; reason: string; owner: string }[] };
    assert.deepEqual(body.counts, { CANCELLED: 1 });
    assert.deepEqual(body.sagas.map((s) => [s.sagaId, s.reason, s.owner]), [['ops-short-1', 'out_of_stock', 'order']]);
    const all = await cli('sagas');
    assert.match(all.stdout, /2 sagas: (CONFIRMED 1, CANCELLED 1|CANCELLED 1, CONFIRMED 1)/);
  });

  it('carries one W3C trace id from the command through every event of the saga', async () => {
    const events = await t.sagaEvents('ops-happy-1');
    assert.equal(events.length, 5);
    for (const e of events) assert.equal(traceIdOf(e.headers.traceparent), '4bf92f3577b34da6a3ce929d0e0e4736', `${e.envelope.type} carries the trace`);
    assert.equal(new Set(events.map((e) => e.headers.traceparent)).size, 5, 'each hop has its own span id');
  });

  it('exposes counters with the right values on /metrics, and /healthz and /readyz', async () => {
    const metrics = async (s: string) => (await fetch(`http://127.0.0.1:${ports[s]}/metrics`)).text();
    const order = await metrics('order');
    const inventory = await metrics('inventory');
    assert.equal(sample(order, 'jetsaga_messages_total', { type: 'PlaceOrder', outcome: 'handled', service: 'order' }), 2);
    assert.equal(sample(order, 'jetsaga_sagas_total', { type: 'OrderCreated' }), 2);
    assert.equal(sample(order, 'jetsaga_saga_failed_total', { step: 'OrderCancelled' }), 1);
    assert.equal(sample(inventory, 'jetsaga_saga_failed_total', { step: 'StockReservationFailed', service: 'inventory' }), 1);
    assert.equal(sample(inventory, 'jetsaga_handler_duration_seconds_count', { type: 'OrderCreated' }), 2);
    assert.equal(sample(order, 'jetsaga_outbox_backlog', { service: 'order' }), 0);
    assert.match(order, /process_resident_memory_bytes/);
    assert.ok(!order.includes('ops-happy-1') && !inventory.includes('ops-short-1'), 'no saga id in any label');
    assert.equal((await fetch(`http://127.0.0.1:${ports.payment}/healthz`)).status, 200);
    const ready = await fetch(`http://127.0.0.1:${ports.payment}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [200, { ready: true, problems: [] }]);
  });

  it('shows consumer lag and dead letters in status', async () => {
    // given payment is down with 2 orders waiting for it, and a poison command in the DLQ
    await t.stack.service('payment').stop();
    await t.send('CreditWallet', { customerId: 'nina', amount: 1 });
    await t.send('PlaceOrder', { orderId: 'ops-wait-1', customerId: 'nina', items: [{ sku: 'ink', quantity: 1, unitPrice: 400 }] });
    await t.send('PlaceOrder', { orderId: 'ops-wait-2', customerId: 'nina', items: [{ sku: 'ink', quantity: 1, unitPrice: 400 }] });
    await t.publishRaw('cmd.order.PlaceOrder.ops-bad', '{not json');
    await waitFor(async () => (await t.deadLetters()).length === 1 || undefined, { what: 'the dead letter' });
    await waitFor(async () => (await t.sagaTypes('ops-wait-2')).includes('StockReserved') || undefined, { what: 'the reservations' });
    // when
    const result = await cli('status', '--json');
    // then it exits 3: something needs attention
    assert.equal(result.code, 3, result.stderr);
    const status = JSON.parse(result.stdout) as {
      consumers: { consumer: string; pending: number; ackPending: number }[];
      services: { service: string; status: { deadLetters: { count: number } | null; outbox: { backlog: number }; lastError: { step: string; error: string } | null } | null; error: string | null }[];
      problems: string[];
    };
    const consumer = (name: string) => status.consumers.find((c) => c.consumer === name)!;
    assert.equal(consumer('payment-StockReserved').pending, 2);
    assert.equal(consumer('payment-CreditWallet').pending, 1);
    assert.equal(consumer('inventory-OrderCreated').pending + consumer('inventory-OrderCreated').ackPending, 0);
    const order = status.services.find((s) => s.service === 'order')!.status!;
    assert.equal(order.deadLetters?.count, 1);
    assert.equal(order.outbox.backlog, 0);
    assert.match(`${order.lastError?.step}: ${order.lastError?.error}`, /order-PlaceOrder: malformed_json/);
    const payment = status.services.find((s) => s.service === 'payment')!;
    assert.equal(payment.status, null, 'payment is down: it cannot answer');
    assert.deepEqual(status.problems, ['order: 1 dead letters', `payment: not answering (${payment.error})`]);
    const human = await cli('status');
    assert.equal(human.code, 3);
    assert.match(human.stdout, /NEEDS ATTENTION: order: 1 dead letters; payment: not answering/);
    // and once payment is back and the poison dropped, all is well
    await t.stack.service('payment').start();
    await t.waitForQuiescence();
    const [letter] = await t.deadLetters();
    assert.equal((await cli('dlq', 'drop', String(letter!.seq), '--yes')).code, 0);
    const healthy = await cli('status');
    assert.match(healthy.stdout, /HEALTHY/);
    assert.equal(healthy.code, 0);
    await assertInvariants(t);
  });
});

describe('repairing a saga: dead-letter re-drive', () => {
  let t: TestStack;
  let cli: ReturnType<typeof remoteCli>;

  before(async () => {
    t = await TestStack.start({ services: coreServices, env: { JETSAGA_MAX_DELIVER: '2' }, serviceEnv: { inventory: { JETSAGA_FAULTS: 'OrderCreated:always' } } });
    cli = remoteCli(t);
    await t.send('SetStock', { sku: 'gem', quantity: 5 });
    await t.send('SetPrice', { sku: 'gem', unitPrice: 1000 });
    await t.send('CreditWallet', { customerId: 'omar', amount: 5_000 });
  });
  after(() => t?.stop());

  it('completes a saga exactly once when its dead-lettered event is re-driven after the cause is fixed', async () => {
    // given OrderCreated dead-lettered by a broken inventory
    await t.send('PlaceOrder', { orderId: 'redrive-1', customerId: 'omar', items: [{ sku: 'gem', quantity: 2, unitPrice: 1000 }] });
    const [letter] = await waitFor(async () => {
      const l = await t.deadLetters();
      return l.length > 0 ? l : undefined;
    }, { what: 'the dead letter' });
    const listed = await cli('dlq', 'ls');
    assert.match(listed.stdout, new RegExp(`${letter!.seq}.*inventory-OrderCreated.*handler_failed`));
    const refused = await cli('dlq', 'redrive', String(letter!.seq));
    assert.equal(refused.code, 1, 'asks for confirmation, and without a terminal refuses');
    assert.match(refused.stderr, /--yes/);
    // when inventory is fixed and the letter re-driven
    const inventory = t.stack.service('inventory');
    await inventory.stop();
    delete inventory.options.env.JETSAGA_FAULTS;
    await inventory.start();
    const redriven = await cli('dlq', 'redrive', String(letter!.seq), '--yes');
    assert.equal(redriven.code, 0, redriven.stderr);
    // then the saga completes, each step once, and the DLQ is empty
    await waitFor(async () => (await t.sagaTypes('redrive-1')).includes('StockCommitted') || undefined, { what: 'the saga to complete' });
    await t.waitForQuiescence();
    const types = await t.sagaTypes('redrive-1');
    assert.deepEqual(types, ['OrderCreated', 'OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted'], 'the re-driven copy, then each step once');
    assert.deepEqual(await t.deadLetters(), []);
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'omar'), [{ balance: 3000 }]);
    await assertInvariants(t);
  });
});
