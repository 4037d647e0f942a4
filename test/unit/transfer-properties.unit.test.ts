import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Envelope, type EventDraft, type TransferSummary, createEnvelope } from '@jetsaga/events';
import { type Decision, message, type ReactContext, timerDue } from '@jetsaga/messaging';
import type { Account, BankChanges, BankDecision, BankState, Credit, Freeze } from '../../services/bank/src/decide.js';
import { type BankInput, bankMessages, react as reactBank } from '../../services/bank/src/react.js';
import { type Account as PointsAccount, type LoyaltyState } from '../../services/loyalty/src/decide.js';
import { react as reactLoyalty } from '../../services/loyalty/src/react.js';
import { DEADLINE, type Transfer, type TransferDecision } from '../../services/transfer/src/decide.js';
import { type TransferInput, transferMessages, react as reactTransfer } from '../../services/transfer/src/react.js';
import { inFlight } from '../support/invariants.js';

/**
 * Properties of the transfer saga's decisions (no I/O), in the style of saga-properties: each
 * service gets a tiny pure model of the kit's step (load the state an input needs as its store
 * loads it, run its REAL router, save the changes as its saveChanges writes them, arm and disarm
 * timers) and every event it emits is recorded. The choreography runs the transfer service and
 * the banks' routers together under a random schedule: any consumer's pending message next, a
 * redelivery of any message after its first delivery, a message overtaking others of its
 * consumer (a redelivery after the ack wait), and the deadline at any moment.
 */

const NOW = new Date('2024-05-01T12:00:00.000Z');
const RUNS = { numRuns: 300 };
const TRANSFER_ID = 'tr-1';

// ---- the bank: its model of the store, and one step -----------------------------------------

interface BankWorld {
  accounts: ReadonlyMap<string, Account>;
  freezes: ReadonlyMap<string, Freeze>;
  credits: ReadonlyMap<string, Credit>;
}

function bankOf(accounts: Record<string, number>): BankWorld {
  const rows = Object.entries(accounts).map(([accountId, balance]): [string, Account] => [accountId, { accountId, balance, frozen: 0, pending: 0, deposited: balance, sent: 0, received: 0 }]);
  return { accounts: new Map(rows), freezes: new Map(), credits: new Map() };
}

/** As the bank's store loads it: the transfer's freeze and credit, then the accounts of the rows (else those the input names). */
function loadBank(world: BankWorld, input: BankInput): BankState {
  const pick = (ids: string[]) => new Map(ids.flatMap((id) => (world.accounts.has(id) ? [[id, world.accounts.get(id)!] as const] : [])));
  if (input.type === 'Deposit') return { accounts: pick([input.data.accountId]), freeze: undefined, credit: undefined };
  const freeze = world.freezes.get(input.data.transferId);
  const credit = world.credits.get(input.data.transferId);
  return { accounts: pick([freeze?.accountId ?? input.data.from.accountId, credit?.accountId ?? input.data.to.accountId]), freeze, credit };
}

/** As the bank's saveChanges writes them: accounts overwritten; a new freeze or credit as it is, an existing one takes only its status. */
function saveBank(world: BankWorld, changes: BankChanges): BankWorld {
  const accounts = new Map(world.accounts);
  for (const a of changes.accounts ?? []) accounts.set(a.accountId, a);
  const freezes = new Map(world.freezes);
  const f = changes.freeze;
  if (f) freezes.set(f.transferId, freezes.has(f.transferId) ? { ...freezes.get(f.transferId)!, status: f.status } : f);
  const credits = new Map(world.credits);
  const c = changes.credit;
  if (c) credits.set(c.transferId, credits.has(c.transferId) ? { ...credits.get(c.transferId)!, status: c.status } : c);
  return { accounts, freezes, credits };
}

function ctxOf<S>(settings: S): ReactContext<S> {
  let n = 0;
  return { now: NOW, settings, newId: () => `id-${++n}` };
}

function deliverToBank(world: BankWorld, bankId: string, input: BankInput): [BankWorld, BankDecision] {
  const d = reactBank(loadBank(world, input), input, ctxOf({ bankId }));
  assert.equal(d.mismatch, undefined, `bank-${bankId} found a mismatch in ${input.type}: ${d.mismatch}`);
  return [d.changes ? saveBank(world, d.changes) : world, d];
}

// ---- the transfer service: its model, and one step ------------------------------------------

interface TransferWorld {
  transfer: Transfer | undefined;
  /** The deadline: armed once (first arm wins), fired or disarmed once. */
  deadline: 'none' | 'armed' | 'done';
}

function deliverToTransfer(world: TransferWorld, input: TransferInput): [TransferWorld, TransferDecision] {
  const d = reactTransfer({ transfer: world.transfer }, input, ctxOf({ deadlineMs: 30_000 }));
  assert.equal(d.mismatch, undefined, `transfer found a mismatch in ${input.type}: ${d.mismatch}`);
  let deadline = world.deadline;
  if (d.disarm?.length && deadline === 'armed') deadline = 'done';
  if (d.arm?.length && deadline === 'none') deadline = 'armed';
  // saveChanges upserts the whole row: the decision's transfer is the row
  return [{ transfer: d.changes?.transfer ?? world.transfer, deadline }, d];
}

// ---- the choreography ----------------------------------------------------------------------------

type Service = 'transfer' | `bank-${string}`;

/** A message waiting at one consumer: the envelope, and whether it was delivered already (a redelivery). */
interface Pending {
  envelope: Envelope;
  delivered: boolean;
}

interface Choreography {
  transfer: TransferWorld;
  banks: Map<string, BankWorld>;
  /** Pending deliveries per consumer (`<service>-<Type>`). */
  queues: Map<string, Pending[]>;
  events: Envelope[];
  /** What each bank received, in the order it did (first deliveries). */
  received: Map<string, BankInput[]>;
  deposits: number;
}

const subscriptions: Record<string, readonly string[]> = { transfer: transferMessages, bank: bankMessages };

function consumersOf(c: Choreography, type: string): string[] {
  const services: Service[] = ['transfer', ...[...c.banks.keys()].map((id): Service => `bank-${id}`)];
  return services.filter((s) => subscriptions[s === 'transfer' ? 'transfer' : 'bank']!.includes(type)).map((s) => `${s}-${type}`);
}

function publish(c: Choreography, envelope: Envelope): void {
  if (envelope.type !== 'RequestTransfer') c.events.push(envelope);
  for (const consumer of consumersOf(c, envelope.type)) c.queues.get(consumer)!.push({ envelope, delivered: false });
}

function emit(c: Choreography, producer: string, drafts: readonly EventDraft[] | undefined): void {
  for (const d of drafts ?? []) publish(c, createEnvelope(d.type, d.data, { producer, sagaId: TRANSFER_ID, now: NOW }));
}

/** The money in the banks, counting a transfer on its way once (test/support/invariants.ts, `inFlight`). */
function assertMoney(c: Choreography, when: string): void {
  let holdings = 0;
  let deposited = 0;
  for (const [id, bank] of c.banks) {
    for (const a of bank.accounts.values()) {
      assert.ok(a.balance >= 0 && a.frozen >= 0 && a.pending >= 0, `${when}: bank-${id} ${a.accountId} below zero: ${JSON.stringify(a)}`);
      assert.equal(a.balance + a.frozen, a.deposited + a.received - a.sent, `${when}: bank-${id} ${a.accountId} balance + frozen == deposited + received - sent`);
      holdings += a.balance + a.frozen + a.pending;
      deposited += a.deposited;
    }
  }
  const freeze = [...c.banks.values()].map((b) => b.freezes.get(TRANSFER_ID)).find(Boolean);
  const credit = [...c.banks.values()].map((b) => b.credits.get(TRANSFER_ID)).find(Boolean);
  const counted = inFlight(freeze?.status, credit?.status, credit?.amount ?? 0);
  assert.equal(deposited, c.deposits, `${when}: deposits`);
  assert.equal(holdings - counted, c.deposits, `${when}: money across the banks is the deposits`);
}

interface Schedule {
  /** Which option next: a consumer's message, or the deadline. */
  picks: number[];
  /** Which message of that consumer (0: the oldest; others: it overtakes, as after a redelivery). */
  overtakes: number[];
  /** Whether the message delivered is kept for a redelivery later (each at most once). */
  redeliver: boolean[];
  /** Whether the deadline may fire at all (a slow bank). */
  deadlineFires: boolean;
}

/**
 * Runs one transfer through the real routers of the transfer service and the banks, on
 * `schedule`, until nothing is pending; asserts the money at every step.
 */
function runChoreography(banks: Record<string, Record<string, number>>, transfer: TransferSummary, schedule: Schedule): Choreography {
  const c: Choreography = {
    transfer: { transfer: undefined, deadline: 'none' },
    banks: new Map(Object.entries(banks).map(([id, accounts]) => [id, bankOf(accounts)])),
    queues: new Map(),
    events: [],
    received: new Map(Object.keys(banks).map((id) => [id, []])),
    deposits: Object.values(banks).reduce((sum, accounts) => sum + Object.values(accounts).reduce((s, n) => s + n, 0), 0),
  };
  for (const type of [...transferMessages, ...bankMessages]) for (const consumer of consumersOf(c, type)) c.queues.set(consumer, []);
  publish(c, createEnvelope('RequestTransfer', transfer, { producer: 'cli', sagaId: TRANSFER_ID, now: NOW }));
  const redelivered = new Set<Pending>();
  for (let step = 0; ; step++) {
    const busy = [...c.queues].filter(([, q]) => q.length > 0);
    const options: (string | 'deadline')[] = [...busy.map(([consumer]) => consumer), ...(c.transfer.deadline === 'armed' && schedule.deadlineFires ? ['deadline' as const] : [])];
    if (options.length === 0) break;
    assert.ok(step < 500, 'the saga ends');
    const choice = options[(schedule.picks[step % schedule.picks.length] ?? 0) % options.length]!;
    if (choice === 'deadline') {
      c.transfer = { ...c.transfer, deadline: 'done' };
      const [next, d] = deliverToTransfer(c.transfer, timerDue(DEADLINE, TRANSFER_ID));
      c.transfer = next;
      emit(c, 'transfer', d.events);
      continue;
    }
    const queue = c.queues.get(choice)!;
    const at = (schedule.overtakes[step % schedule.overtakes.length] ?? 0) % queue.length;
    const pending = queue[at]!;
    const keep = schedule.redeliver[step % schedule.redeliver.length] === true && !redelivered.has(pending);
    if (keep) redelivered.add(pending);
    else queue.splice(at, 1);
    const first = !pending.delivered;
    pending.delivered = true;
    const service = choice.slice(0, choice.lastIndexOf('-'));
    if (service === 'transfer') {
      const [next, d] = deliverToTransfer(c.transfer, pending.envelope as TransferInput);
      c.transfer = next;
      emit(c, 'transfer', d.events);
    } else {
      const id = service.slice('bank-'.length);
      if (first) c.received.get(id)!.push(pending.envelope as BankInput);
      const [next, d] = deliverToBank(c.banks.get(id)!, id, pending.envelope as BankInput);
      c.banks.set(id, next);
      emit(c, service, d.events);
    }
    assertMoney(c, `after ${pending.envelope.type} to ${service}`);
  }
  return c;
}

const scheduleArb: fc.Arbitrary<Schedule> = fc.record({
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
  overtakes: fc.array(fc.oneof(fc.constant(0), fc.nat()), { minLength: 1, maxLength: 10 }),
  redeliver: fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
  deadlineFires: fc.boolean(),
});

/** Two banks or one; the source with or without enough money, or no account; the destination with or without its account. */
const setupArb = fc
  .record({
    sameBank: fc.boolean(),
    source: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: undefined }),
    destination: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: undefined }),
    other: fc.integer({ min: 1, max: 1_000 }),
    amount: fc.integer({ min: 1, max: 800 }),
  })
  .map(({ sameBank, source, destination, other, amount }) => {
    const toBank = sameBank ? 'a' : 'b';
    const a: Record<string, number> = { carol: other };
    const b: Record<string, number> = { dave: other };
    if (source !== undefined) a.alice = source;
    if (destination !== undefined) (sameBank ? a : b).bob = destination;
    const banks: Record<string, Record<string, number>> = sameBank ? { a } : { a, b };
    const transfer: TransferSummary = { transferId: TRANSFER_ID, from: { bank: 'a', accountId: 'alice' }, to: { bank: toBank, accountId: 'bob' }, amount };
    return { banks, transfer, source, destination };
  });

function count(events: readonly Envelope[], type: string): number {
  return events.filter((e) => e.type === type).length;
}

describe('transfer saga properties (the transfer service and the banks, real routers, any schedule)', () => {
  it('ends COMPLETED or FAILED with every try resolved, the money conserved at every step, and each event once', () => {
    fc.assert(
      fc.property(setupArb, scheduleArb, ({ banks, transfer, source, destination }, schedule) => {
        const c = runChoreography(banks, transfer, schedule);
        const status = c.transfer.transfer?.status;
        const types = c.events.map((e) => e.type);

        // every transfer terminal; exactly one outcome; no event twice (duplicates changed nothing)
        assert.ok(status === 'COMPLETED' || status === 'FAILED', `ended ${status}: ${types.join()}`);
        assert.equal(count(c.events, 'TransferCompleted') + count(c.events, 'TransferFailed'), 1, types.join());
        for (const type of new Set(types)) assert.equal(count(c.events, type), 1, `${type} once: ${types.join()}`);
        // every try resolved: nothing frozen or pending anywhere
        for (const [id, bank] of c.banks) {
          for (const a of bank.accounts.values()) assert.deepEqual([a.frozen, a.pending], [0, 0], `bank-${id} ${a.accountId}: ${types.join()}`);
        }
        const balance = (bank: string, accountId: string) => c.banks.get(bank)!.accounts.get(accountId)?.balance;
        if (status === 'COMPLETED') {
          // the money moved, exactly
          assert.equal(balance('a', 'alice'), source! - transfer.amount);
          assert.equal(balance(transfer.to.bank, 'bob'), destination! + transfer.amount);
          assert.ok(source! >= transfer.amount, 'completed only when the source could pay');
        } else {
          // nothing moved, and a refusal names its reason
          assert.equal(balance('a', 'alice'), source);
          assert.equal(balance(transfer.to.bank, 'bob'), destination);
          const reason = (c.events.find((e) => e.type === 'TransferFailed')!.data as { reason: string }).reason;
          if (source === undefined) assert.ok(['unknown_source_account', 'timeout'].includes(reason), reason);
          if (reason === 'insufficient_funds') assert.ok(source! < transfer.amount);
          if (reason === 'unknown_destination_account') assert.equal(destination, undefined);
          // a try cancelled after it was made says so; one cancelled before leaves a tombstone and no event
          assert.equal(count(c.events, 'FreezeReleased'), count(c.events, 'FundsFrozen'), types.join());
          assert.equal(count(c.events, 'CreditDropped'), count(c.events, 'CreditPrepared'), types.join());
        }
        // without the deadline (every bank answers in time), the only failures are refusals
        if (!schedule.deadlineFires) assert.equal(status === 'COMPLETED', source !== undefined && destination !== undefined && source >= transfer.amount, types.join());
      }),
      RUNS,
    );
  });
});

// ---- one bank's router alone: redeliveries and reorderings ----------------------------------------

interface BankRun {
  world: BankWorld;
  events: EventDraft[];
}

function runBank(start: BankWorld, bankId: string, inputs: readonly BankInput[]): BankRun {
  let world = start;
  const events: EventDraft[] = [];
  for (const input of inputs) {
    const [next, d] = deliverToBank(world, bankId, input);
    world = next;
    events.push(...(d.events ?? []));
  }
  return { world, events };
}

/** Some messages again, each at a position after its first delivery. */
function withRedeliveries<M>(sequence: readonly M[], picks: ReadonlyArray<readonly [number, number]>): M[] {
  const out = [...sequence];
  for (const [which, where] of picks) {
    if (out.length === 0) break;
    const i = which % out.length;
    const first = out.indexOf(out[i]!);
    out.splice(first + 1 + (where % (out.length - first)), 0, out[i]!);
  }
  return out;
}

const redeliveriesArb = fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 5 });

const outgoing: TransferSummary = { transferId: TRANSFER_ID, from: { bank: 'a', accountId: 'alice' }, to: { bank: 'b', accountId: 'bob' }, amount: 300 };
const incoming: TransferSummary = { transferId: TRANSFER_ID, from: { bank: 'b', accountId: 'bob' }, to: { bank: 'a', accountId: 'alice' }, amount: 300 };
const within: TransferSummary = { transferId: TRANSFER_ID, from: { bank: 'a', accountId: 'alice' }, to: { bank: 'a', accountId: 'carol' }, amount: 300 };

const bankInput = {
  requested: (t: TransferSummary) => message('TransferRequested', t, TRANSFER_ID),
  frozen: (t: TransferSummary) => ({ ...message('FundsFrozen', t, TRANSFER_ID), producer: `bank-${t.from.bank}` }),
  confirmed: (t: TransferSummary) => message('TransferConfirmed', t, TRANSFER_ID),
  failed: (t: TransferSummary) => message('TransferFailed', { ...t, reason: 'timeout' }, TRANSFER_ID),
};

/** Message sets a bank can get for one transfer, each in an order a real run can produce. */
const bankRunArb: fc.Arbitrary<BankInput[]> = fc.oneof(
  // the source: its try, then the outcome (a confirm follows its own FundsFrozen; a cancel may come first)
  fc.constantFrom<BankInput[]>([bankInput.requested(outgoing), bankInput.confirmed(outgoing)], [bankInput.requested(outgoing), bankInput.failed(outgoing)], [bankInput.failed(outgoing), bankInput.requested(outgoing)]),
  // the destination: the source's FundsFrozen, then the outcome (a cancel may come first)
  fc.constantFrom<BankInput[]>([bankInput.frozen(incoming), bankInput.confirmed(incoming)], [bankInput.frozen(incoming), bankInput.failed(incoming)], [bankInput.failed(incoming), bankInput.frozen(incoming)]),
  // both ends
  fc.constantFrom<BankInput[]>(
    [bankInput.requested(within), bankInput.frozen(within), bankInput.confirmed(within)],
    [bankInput.requested(within), bankInput.frozen(within), bankInput.failed(within)],
    [bankInput.requested(within), bankInput.failed(within), bankInput.frozen(within)],
    [bankInput.failed(within), bankInput.requested(within), bankInput.frozen(within)],
  ),
);

const balancesArb = fc.record({ alice: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }), carol: fc.integer({ min: 0, max: 600 }) });

function startBank({ alice, carol }: { alice: number | undefined; carol: number }): BankWorld {
  return bankOf(alice === undefined ? { carol } : { alice, carol });
}

describe("bank saga properties (bank a's router alone)", () => {
  it('delivering any message twice, anywhere after its first delivery, changes neither the end state nor the events', () => {
    fc.assert(
      fc.property(balancesArb, bankRunArb, redeliveriesArb, (balances, once, picks) => {
        // a confirm comes only after the tries held: the source could pay, the destination account exists
        const confirms = once.some((m) => m.type === 'TransferConfirmed');
        const end = once.find((m) => m.type !== 'TransferFailed')!.data as TransferSummary;
        fc.pre(!confirms || (balances.alice !== undefined && (end.from.accountId !== 'alice' || balances.alice >= end.amount)));
        const start = startBank(balances);
        const a = runBank(start, 'a', once);
        const b = runBank(start, 'a', withRedeliveries(once, picks));

        assert.deepEqual(b.world, a.world);
        assert.deepEqual(b.events, a.events);
      }),
      RUNS,
    );
  });

  it('at the source, TransferRequested and TransferFailed in any order end with nothing frozen and the balance where it started', () => {
    fc.assert(
      fc.property(balancesArb, fc.boolean(), (balances, cancelFirst) => {
        const start = startBank(balances);
        const inputs = cancelFirst ? [bankInput.failed(outgoing), bankInput.requested(outgoing)] : [bankInput.requested(outgoing), bankInput.failed(outgoing)];
        const run = runBank(start, 'a', inputs);
        const types = run.events.map((e) => e.type);

        assert.deepEqual(run.world.accounts, start.accounts, 'every account where it started');
        assert.ok(['RELEASED', 'REFUSED', 'CANCELLED'].includes(run.world.freezes.get(TRANSFER_ID)!.status));
        assert.equal(types.filter((t) => t === 'FreezeReleased').length, types.filter((t) => t === 'FundsFrozen').length, types.join());
        // the barrier: a cancel before the try leaves a tombstone, and the late try freezes nothing
        if (cancelFirst) assert.deepEqual([run.world.freezes.get(TRANSFER_ID)!.status, types], ['CANCELLED', []]);
      }),
      RUNS,
    );
  });

  it('at the destination, FundsFrozen and TransferFailed in any order end with nothing pending', () => {
    fc.assert(
      fc.property(balancesArb, fc.boolean(), (balances, cancelFirst) => {
        const start = startBank(balances);
        const inputs = cancelFirst ? [bankInput.failed(incoming), bankInput.frozen(incoming)] : [bankInput.frozen(incoming), bankInput.failed(incoming)];
        const run = runBank(start, 'a', inputs);
        const types = run.events.map((e) => e.type);

        assert.deepEqual(run.world.accounts, start.accounts);
        assert.ok(['DROPPED', 'REFUSED', 'CANCELLED'].includes(run.world.credits.get(TRANSFER_ID)!.status));
        assert.equal(types.filter((t) => t === 'CreditDropped').length, types.filter((t) => t === 'CreditPrepared').length, types.join());
        if (cancelFirst) assert.deepEqual([run.world.credits.get(TRANSFER_ID)!.status, types], ['CANCELLED', []]);
      }),
      RUNS,
    );
  });

  it("replays what a bank received in a choreography run, with redeliveries, to the same end state and events", () => {
    fc.assert(
      fc.property(setupArb, scheduleArb, redeliveriesArb, ({ banks, transfer }, schedule, picks) => {
        const c = runChoreography(banks, transfer, { ...schedule, redeliver: [false] });
        const received = c.received.get('a')!;
        const start = bankOf(banks.a!);
        const once = runBank(start, 'a', received);
        const twice = runBank(start, 'a', withRedeliveries(received, picks));

        assert.deepEqual(once.world, c.banks.get('a'), 'the replay is the run');
        assert.deepEqual(twice.world, once.world);
        assert.deepEqual(twice.events, once.events);
      }),
      RUNS,
    );
  });
});

// ---- registration: welcome points once -----------------------------------------------------------

describe('welcome points properties (loyalty router)', () => {
  it('any number of CustomerRegistered deliveries award the welcome points once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 500 }), fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }), (deliveries, points, before) => {
        let state: LoyaltyState = { account: before === undefined ? undefined : { customerId: 'c9', balance: before, debt: 0 }, entry: undefined, welcome: undefined };
        const awarded: EventDraft[] = [];
        const input = message('CustomerRegistered', { customerId: 'c9', email: 'c9@example.com' }, 'c9');
        for (let i = 0; i < deliveries; i++) {
          const d: Decision<{ account?: PointsAccount; welcome?: { customerId: string; points: number } }> = reactLoyalty(state, input, ctxOf({ pointsPerUnit: 1, welcomePoints: points }));
          state = { ...state, account: d.changes?.account ?? state.account, welcome: d.changes?.welcome ?? state.welcome };
          awarded.push(...(d.events ?? []));
        }
        assert.deepEqual(awarded.map((e) => e.type), ['WelcomePointsAwarded']);
        assert.equal(state.account?.balance, (before ?? 0) + points);
      }),
      RUNS,
    );
  });
});
