import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SagaSide } from '@jetsaga/events';
import { queries, queryJsonSchemas, sagasQuery, statusQuery } from '@jetsaga/events';
import { traceSteps } from '@jetsaga/messaging/ops';
import { bashCompletion, buildProgram, EXIT, exitCodeOf, findDisagreements, parseDuration, sagasRequest, UsageError } from '@jetsaga/cli';
import { CommanderError } from 'commander';

const at = '2026-01-01T00:00:00.000Z';
const side = (service: string, kind: string, status: string, extra: Partial<SagaSide> = {}): SagaSide & { service: string } => ({
  service,
  sagaId: 'o1',
  kind,
  status,
  customerId: 'c1',
  amount: kind === 'order' || kind === 'payment' ? 500 : null,
  updatedAt: at,
  ...extra,
});
const all = ['order', 'inventory', 'payment', 'loyalty', 'notification'];
const check = (sides: (SagaSide & { service: string })[], answered = all) => findDisagreements(sides, { answered, settleMs: 1000, now: Date.parse(at) + 60_000 }).disagreements.flatMap((d) => d.problems);

describe('jetsaga reconcile: what participants must agree on', () => {
  const confirmed = [side('order', 'order', 'CONFIRMED'), side('inventory', 'reservation', 'COMMITTED'), side('payment', 'payment', 'CAPTURED'), side('loyalty', 'points', 'CONFIRMED'), side('notification', 'notice:confirmed', 'SENT')];

  it('finds nothing when a confirmed order is charged its total, committed, its points confirmed and its notice sent', () => {
    assert.deepEqual(check(confirmed), []);
  });

  it('names a confirmed order whose payment is not captured or whose stock is not committed', () => {
    const sides = confirmed.map((s) => (s.kind === 'payment' ? { ...s, status: 'REFUNDED' } : s.kind === 'reservation' ? { ...s, status: 'HELD' } : s));
    assert.deepEqual(check(sides), ['order CONFIRMED but payment is REFUNDED', 'order CONFIRMED but reservation is HELD']);
  });

  it('names a charge of another amount or customer than the order', () => {
    const sides = confirmed.map((s) => (s.kind === 'payment' ? { ...s, amount: 400, customerId: 'mallory' } : s));
    assert.deepEqual(check(sides), ['order total 500 but payment CAPTURED of 400', 'order of c1 but paid by mallory']);
  });

  it('names a hold, a charge or points with no order', () => {
    const sides = [side('inventory', 'reservation', 'HELD'), side('payment', 'payment', 'CAPTURED'), side('loyalty', 'points', 'CONFIRMED')];
    assert.deepEqual(check(sides), ['stock HELD with no order', 'payment CAPTURED (500) with no order', 'points CONFIRMED with no order']);
    assert.deepEqual(check(sides, ['inventory', 'payment', 'loyalty']), [], 'order did not answer: nothing is proven');
  });

  it('names points awarded, a charge kept or stock held for a cancelled order', () => {
    const sides = [side('order', 'order', 'CANCELLED'), side('inventory', 'reservation', 'HELD'), side('payment', 'payment', 'CAPTURED'), side('loyalty', 'points', 'CONFIRMED'), side('notification', 'notice:cancelled', 'SENT')];
    assert.deepEqual(check(sides), ['order CANCELLED but payment still CAPTURED', 'order CANCELLED but stock is HELD', 'order CANCELLED but its points are CONFIRMED']);
  });

  it('names a refunded order whose money or stock did not come back, and a notice that failed', () => {
    const sides = [side('order', 'order', 'REFUNDED'), side('inventory', 'reservation', 'COMMITTED'), side('payment', 'payment', 'REFUNDED'), side('notification', 'notice:refunded', 'FAILED')];
    assert.deepEqual(check(sides), ['order REFUNDED but reservation is COMMITTED', 'order REFUNDED but its refunded notice is FAILED']);
  });

  it('skips a saga changed within the settle time: in flight, not wrong', () => {
    const fresh = [side('order', 'order', 'CONFIRMED', { updatedAt: new Date(Date.parse(at) + 59_500).toISOString() }), side('payment', 'payment', 'FAILED')];
    const found = findDisagreements(fresh, { answered: all, settleMs: 1000, now: Date.parse(at) + 60_000 });
    assert.deepEqual([found.disagreements.length, found.inFlight, found.checked], [0, 1, 0]);
  });
});

describe('jetsaga reconcile: what a transfer and its two banks must agree on', () => {
  const tside = (service: string, kind: string, status: string, extra: Partial<SagaSide> = {}) => side(service, kind, status, { sagaId: 't1', customerId: null, amount: 700, ...extra });
  const banks = ['transfer', 'bank-a', 'bank-b'];
  const completed = [tside('transfer', 'transfer', 'COMPLETED'), tside('bank-a', 'freeze', 'DEBITED', { customerId: 'alice' }), tside('bank-b', 'credit', 'CREDITED', { customerId: 'bob' })];
  const checkT = (sides: (SagaSide & { service: string })[], answered = banks, unanswered: string[] = []) =>
    findDisagreements(sides, { answered, unanswered, settleMs: 1000, now: Date.parse(at) + 60_000 }).disagreements.flatMap((d) => d.problems);

  it('finds nothing when a completed transfer was debited and credited its amount, or a failed one released and dropped', () => {
    assert.deepEqual(checkT(completed), []);
    assert.deepEqual(checkT([tside('transfer', 'transfer', 'FAILED'), tside('bank-a', 'freeze', 'RELEASED'), tside('bank-b', 'credit', 'CANCELLED')]), []);
  });

  it('names a completed transfer whose freeze or credit is not confirmed, or of another amount', () => {
    const sides = completed.map((s) => (s.kind === 'freeze' ? { ...s, status: 'FROZEN' } : s.kind === 'credit' ? { ...s, amount: 900 } : s));
    assert.deepEqual(checkT(sides), ['transfer of 700 but credit CREDITED of 900', 'transfer COMPLETED but freeze is FROZEN']);
    assert.deepEqual(checkT(completed.filter((s) => s.kind !== 'credit')), ['transfer COMPLETED but credit is missing']);
    assert.deepEqual(checkT(completed.filter((s) => s.kind !== 'credit'), ['transfer', 'bank-a'], ['bank-b']), [], 'a bank did not answer: nothing is proven');
  });

  it('names a freeze or credit with no transfer', () => {
    const sides = [tside('bank-a', 'freeze', 'FROZEN'), tside('bank-b', 'credit', 'PENDING')];
    assert.deepEqual(checkT(sides), ['freeze FROZEN (700) with no transfer', 'credit PENDING (700) with no transfer']);
    assert.deepEqual(checkT(sides, ['bank-a', 'bank-b']), [], 'transfer did not answer: nothing is proven');
    assert.deepEqual(checkT([tside('bank-a', 'freeze', 'RELEASED'), tside('bank-b', 'credit', 'CANCELLED')]), [], 'released and tombstones are not money');
  });

  it('names a failed transfer with a confirmed debit or credit, or something still held', () => {
    assert.deepEqual(checkT([tside('transfer', 'transfer', 'FAILED'), tside('bank-a', 'freeze', 'DEBITED'), tside('bank-b', 'credit', 'CREDITED')]), [
      'transfer FAILED but its source was DEBITED',
      'transfer FAILED but its destination was CREDITED',
    ]);
    assert.deepEqual(checkT([tside('transfer', 'transfer', 'FAILED'), tside('bank-a', 'freeze', 'FROZEN'), tside('bank-b', 'credit', 'PENDING')]), [
      'transfer FAILED but its freeze is still FROZEN',
      'transfer FAILED but its credit is still PENDING',
    ]);
  });

  it('names a transfer stuck open past the settle time', () => {
    assert.deepEqual(checkT([tside('transfer', 'transfer', 'CONFIRMED'), tside('bank-a', 'freeze', 'FROZEN'), tside('bank-b', 'credit', 'PENDING')]), ['transfer still CONFIRMED (a bank has not confirmed its side): stuck']);
  });
});

describe('a saga trace: step log rows grouped into steps', () => {
  const events = [
    { n: 1, eventId: 'e1', type: 'OrderCreated', producer: 'order', at: '2026-01-01T00:00:00.000Z', offsetMs: 0, causedBy: 'c1', streamSeq: 1, subject: 'evt.order.OrderCreated.o1', data: {} },
    { n: 2, eventId: 'e2', type: 'StockReserved', producer: 'inventory', at: '2026-01-01T00:00:05.000Z', offsetMs: 5000, causedBy: 1, streamSeq: 2, subject: 'evt.inventory.StockReserved.o1', data: {} },
  ];
  const row = (id: number, status: 'done' | 'failed' | 'dead_lettered', atMs: number, eventsOut: string[] = []) => ({
    id,
    service: 'inventory',
    step: 'inventory-OrderCreated',
    operation: 'OrderCreated',
    status,
    eventIn: 'e1',
    eventsOut,
    error: status === 'done' ? null : 'boom',
    at: new Date(Date.parse(events[0]!.at) + atMs).toISOString(),
  });

  it('counts the failed attempts as retries and the dead letters, from the input stored to the outcome', () => {
    const [step] = traceSteps([row(1, 'failed', 200), row(2, 'dead_lettered', 600), row(3, 'done', 4990, ['e2'])], events);
    assert.deepEqual(
      { outcome: step!.outcome, retries: step!.retries, deadLettered: step!.deadLettered, durationMs: step!.durationMs, input: step!.input, outputs: step!.outputs, error: step!.error },
      { outcome: 'done', retries: 1, deadLettered: 1, durationMs: 4990, input: 1, outputs: [2], error: null },
    );
  });

  it('is dead_lettered with the last error while nothing re-drove it', () => {
    const [step] = traceSteps([row(1, 'failed', 200), row(2, 'dead_lettered', 600)], events);
    assert.deepEqual([step!.outcome, step!.error], ['dead_lettered', 'boom']);
  });
});

describe('the queries contract (shared/events queries.ts)', () => {
  it('has a JSON Schema for every request and response', () => {
    const schemas = queryJsonSchemas();
    for (const q of queries) {
      assert.ok(schemas[`${q.name}.v${q.version}.request`], q.name);
      assert.ok(schemas[`${q.name}.v${q.version}.response`], q.name);
    }
  });

  it('defaults what a request leaves out, and refuses an unknown version', () => {
    assert.equal(sagasQuery.request.parse({ version: 1 }).limit, 50);
    assert.equal(statusQuery.request.safeParse({ version: 2 }).success, false);
    assert.equal(sagasQuery.request.safeParse({ version: 1, search: 'a b' }).success, false);
  });
});

describe('the jetsaga command line', () => {
  const program = buildProgram();
  const commands: [string, import('commander').Command][] = [];
  const walk = (c: import('commander').Command, prefix: string) => {
    for (const sub of c.commands) {
      commands.push([`${prefix}${sub.name()}`, sub]);
      walk(sub, `${prefix}${sub.name()} `);
    }
  };
  walk(program, '');

  it('gives examples in the --help of every command that runs something', () => {
    const helpOf = (c: import('commander').Command) => {
      let text = '';
      c.configureOutput({ writeOut: (s) => (text += s) });
      c.outputHelp();
      return text;
    };
    for (const [name, c] of commands.filter(([, c]) => c.commands.length === 0)) {
      // commands of others, being written now (transfer, bank), are not held to it here
      if (/^(transfer|bank|account|customer)\b/.test(name)) continue;
      assert.match(helpOf(c), /Examples?:\n\s+\S/, `${name}: examples in --help`);
    }
  });

  it('takes --json anywhere on the line, for every command (a global option)', () => {
    assert.ok(program.options.some((o) => o.long === '--json'));
    assert.ok(commands.every(([, c]) => !c.options.some((o) => o.long === '--json')), 'no command shadows the global --json');
  });

  it('maps errors to the documented exit codes', () => {
    assert.equal(exitCodeOf(new CommanderError(1, 'commander.unknownOption', 'x')), EXIT.usage);
    assert.equal(exitCodeOf(new CommanderError(0, 'commander.version', '0.1.0')), EXIT.ok);
    assert.equal(exitCodeOf(new UsageError('x')), EXIT.usage);
    assert.equal(exitCodeOf(new Error('down')), EXIT.failure);
    assert.deepEqual(EXIT, { ok: 0, failure: 1, usage: 2, attention: 3 });
  });

  it('reads durations and saga list filters', () => {
    assert.equal(parseDuration('10m'), 600_000);
    assert.throws(() => parseDuration('soon'), UsageError);
    const r = sagasRequest({ stuck: true, state: 'pending,refunding', limit: '20', since: '1h' }, Date.parse(at));
    assert.deepEqual([r.stuckForMs, r.states, r.limit, r.since], [60_000, ['PENDING', 'REFUNDING'], 20, '2025-12-31T23:00:00.000Z']);
    assert.throws(() => sagasRequest({ limit: '0' }), UsageError);
  });

  it('completes commands and options in bash', () => {
    const script = bashCompletion(program);
    assert.match(script, /\["dlq redrive"\]="[^"]*--all/);
    assert.match(script, /complete -o default -F _jetsaga_complete jetsaga/);
  });
});
