import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, type Envelope } from '@jetsaga/events';
import { orderService } from '@jetsaga/order';
import { createLogger } from '../observe/logger.js';
import { openServiceDb, type ServiceDb } from '../sqlite/open-db.js';
import { BatchWriter, commitBatch } from './commit-batch.js';
import type { PendingRow } from '../outbound/outbox.js';
import type { Reactor } from './run-step.js';

/**
 * The batch writer on a real SQLite file (no broker): messages submitted in one turn of the
 * event loop commit in one transaction, and a reaction that throws undoes only its own
 * message.
 */
describe('BatchWriter', () => {
  let dir = '';
  let db: ServiceDb;
  const log = createLogger('test', 'silent');
  const commits: { emitted: PendingRow[]; armedDueAt?: number }[] = [];
  let writer: BatchWriter;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jetsaga-batch-'));
    db = openServiceDb({ path: join(dir, 'order.db'), schema: orderService.schema, migrationsFolder: orderService.migrationsFolder });
    writer = new BatchWriter(db, failing, { onCommit: (what) => commits.push(what) });
  });

  after(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const placeOrder = (orderId: string) =>
    createEnvelope('PlaceOrder', { orderId, customerId: 'cust-1', items: [{ sku: 'sku-1', quantity: 1, unitPrice: 100 }] }, { producer: 'test', sagaId: orderId });
  // The order service, whose router throws for order 'b-2'.
  const failing: Reactor = {
    service: 'order',
    settings: orderService.settings.parse({}),
    def: {
      ...orderService,
      react: (state, input, ctx) => {
        if ((input as { data: { orderId: string } }).data.orderId === 'b-2') throw new Error('boom');
        return orderService.react(state, input as never, ctx);
      },
    },
  };
  const submit = (message: Envelope, more = false) =>
    writer.submit({ consumer: 'order-PlaceOrder', message, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, more);
  const nextTurn = () => new Promise<'next turn'>((r) => setImmediate(() => r('next turn')));
  const count = (sql: string, ...args: unknown[]) => (db.$client.prepare(sql).get(...args) as { n: number }).n;

  it('commits the messages of one turn together, and a throwing reaction leaves nothing of its own', async () => {
    // given three orders submitted in the same turn, the second of which throws
    const before = writer.stats.batches;
    const results = await Promise.allSettled([submit(placeOrder('b-1')), submit(placeOrder('b-2')), submit(placeOrder('b-3'))]);

    // then one transaction committed the first and third, with their inbox, outbox and deadline rows
    assert.equal(writer.stats.batches - before, 1);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /boom/);
    for (const id of ['b-1', 'b-3']) {
      assert.equal(count('SELECT count(*) AS n FROM orders WHERE order_id = ?', id), 1, id);
      assert.equal(count("SELECT count(*) AS n FROM outbox WHERE subject = ?", `evt.order.OrderCreated.${id}.cust-1`), 1, id);
    }
    // and the failed one left no order, inbox row, outbox row or timer, so its retry starts clean
    assert.equal(count('SELECT count(*) AS n FROM orders WHERE order_id = ?', 'b-2'), 0);
    assert.equal(count("SELECT count(*) AS n FROM outbox WHERE subject = 'evt.order.OrderCreated.b-2.cust-1'"), 0);
    assert.equal(count("SELECT count(*) AS n FROM timers WHERE key = 'b-2'"), 0);
    assert.equal(count('SELECT count(*) AS n FROM inbox WHERE consumer = ?', 'order-PlaceOrder'), 2);
    // and the commit reported its outbox rows as stored, in seq order without a gap (the failed
    // one's row undone with its savepoint), and the earliest deadline it armed
    const stored = db.$client.prepare("SELECT seq, event_id AS eventId, subject FROM outbox WHERE subject IN ('evt.order.OrderCreated.b-1.cust-1', 'evt.order.OrderCreated.b-3.cust-1') ORDER BY seq").all();
    assert.deepEqual(commits.at(-1)?.emitted.map((r) => ({ seq: r.seq, eventId: r.eventId, subject: r.subject })), stored);
    const [first, second] = commits.at(-1)!.emitted;
    assert.equal(second!.seq, first!.seq + 1);
    assert.ok(commits.at(-1)?.armedDueAt! > Date.now());
  });

  it('runs a batch once when no reaction throws, and again, each message apart, when one does', () => {
    // given a router that counts its calls and throws for order 'r-2'
    const calls = new Map<string, number>();
    const counting: Reactor = {
      ...failing,
      def: {
        ...orderService,
        react: (state, input, ctx) => {
          const id = (input as { data: { orderId: string } }).data.orderId;
          calls.set(id, (calls.get(id) ?? 0) + 1);
          if (id === 'r-2') throw new Error('boom');
          return orderService.react(state, input as never, ctx);
        },
      },
    };
    const item = (orderId: string) => ({ consumer: 'order-PlaceOrder', message: placeOrder(orderId), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    // when a batch where nothing throws commits
    const clean = commitBatch(db, counting, [item('q-1'), item('q-2')]);
    // then each message ran once
    assert.deepEqual(clean.map((o) => o.ok), [true, true]);
    assert.deepEqual([calls.get('q-1'), calls.get('q-2')], [1, 1]);
    // when a batch whose second message throws commits
    const mixed = commitBatch(db, counting, [item('r-1'), item('r-2'), item('r-3')]);
    // then the first pass was undone whole and the batch ran again: r-1 twice, r-2 twice (failing both times), r-3 once
    assert.deepEqual(mixed.map((o) => o.ok), [true, false, true]);
    assert.deepEqual([calls.get('r-1'), calls.get('r-2'), calls.get('r-3')], [2, 2, 1]);
    // and r-1 is stored once: one order, one outbox row, one step
    assert.equal(count('SELECT count(*) AS n FROM orders WHERE order_id = ?', 'r-1'), 1);
    assert.equal(count("SELECT count(*) AS n FROM outbox WHERE subject = 'evt.order.OrderCreated.r-1.cust-1'"), 1);
    assert.equal(count("SELECT count(*) AS n FROM step_log WHERE saga_id = 'r-1'"), 1);
  });

  it('drops a repeat inside the same batch as a duplicate', async () => {
    const message = placeOrder('d-1');

    const results = await Promise.all([submit(message), submit(message)]);

    assert.equal(results[1].duplicate, true);
    assert.ok(!results[0].duplicate && results[0].ids.length === 1);
    assert.equal(count('SELECT count(*) AS n FROM orders WHERE order_id = ?', 'd-1'), 1);
  });

  it('starts a new transaction for what is submitted after a commit', async () => {
    const before = writer.stats.batches;

    await submit(placeOrder('n-1'));
    await submit(placeOrder('n-2'));

    assert.equal(writer.stats.batches - before, 2);
  });

  it('commits a message alone without waiting for the next turn of the event loop', async () => {
    // given a commit of one message before (no load)
    await submit(placeOrder('m-0'));
    // when one message comes alone, with a callback already waiting for the next turn
    const order: string[] = [];
    setImmediate(() => order.push('next turn'));
    await submit(placeOrder('m-1')).then(() => order.push('committed'));
    await nextTurn();
    // then it is committed before that turn
    assert.deepEqual(order, ['committed', 'next turn']);
  });

  it('waits for the next turn when the consumer holds more messages, and commits them together', async () => {
    await submit(placeOrder('w-0'));
    const before = writer.stats.batches;
    // given a message whose consumer holds more
    const a = submit(placeOrder('w-1'), true);
    // when the next one is submitted later in the same turn, after other microtasks
    await Promise.resolve();
    await Promise.resolve();
    const b = submit(placeOrder('w-2'));
    await Promise.all([a, b]);
    // then both went in one transaction
    assert.equal(writer.stats.batches - before, 1);
  });

  it('marks the rows the relay had acked sent in the batch transaction, not in one of their own', async () => {
    // given a row published and acked (unsent in the table), handed over by the relay
    await submit(placeOrder('s-0'));
    const seq = (db.$client.prepare("SELECT seq FROM outbox WHERE subject = 'evt.order.OrderCreated.s-0.cust-1'").get() as { seq: number }).seq;
    let handed: number[] = [seq];
    const marking = new BatchWriter(db, failing, { onCommit: () => {}, sentRows: { take: () => handed.splice(0), giveBack: (seqs) => (handed = seqs) } });
    const before = db.$client.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NOT NULL').get() as { n: number };
    // when the next batch commits
    await marking.submit({ consumer: 'order-PlaceOrder', message: placeOrder('s-1'), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    // then that row is marked sent, by that commit, and nothing is left to give back
    assert.equal(count('SELECT count(*) AS n FROM outbox WHERE seq = ? AND sent_at IS NOT NULL', seq), 1);
    assert.equal(count('SELECT count(*) AS n FROM outbox WHERE sent_at IS NOT NULL'), before.n + 1);
    assert.deepEqual(handed, []);
  });

  it('with a durability wait, settles the messages and hands over the rows only once the commit is on disk', async () => {
    // given a writer whose commits are on disk only when `onDisk` is called
    let onDisk: (() => void) | undefined;
    const handed: PendingRow[][] = [];
    const durableWriter = new BatchWriter(db, failing, { onCommit: (what) => handed.push(what.emitted), durable: () => new Promise<void>((r) => (onDisk = r)) });
    // when a message is committed
    let settled = false;
    const done = durableWriter.submit({ consumer: 'order-PlaceOrder', message: placeOrder('f-1'), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }).then(() => (settled = true));
    await nextTurn();
    await nextTurn();
    // then it is in the db, but neither settled nor handed to the relay before the fsync
    assert.equal(count('SELECT count(*) AS n FROM orders WHERE order_id = ?', 'f-1'), 1);
    assert.equal(settled, false);
    assert.equal(handed.length, 0);
    onDisk!();
    await done;
    assert.equal(handed.length, 1);
    assert.equal(handed[0]![0]!.subject, 'evt.order.OrderCreated.f-1.cust-1');
  });

  it('with a failed durability wait, fails the messages (they are redelivered) and hands over nothing', async () => {
    const handed: PendingRow[][] = [];
    const durableWriter = new BatchWriter(db, failing, { onCommit: (what) => handed.push(what.emitted), durable: () => Promise.reject(new Error('EIO: fsync failed')) });
    const outcome = await durableWriter.submit({ consumer: 'order-PlaceOrder', message: placeOrder('f-2'), traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }).then(
      () => 'settled',
      (err: Error) => err.message,
    );
    assert.equal(outcome, 'EIO: fsync failed');
    assert.equal(handed.length, 0);
  });
});
