import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { connect, type NatsError } from 'nats';
import { createEnvelope, type Envelope, type TransferSummary } from '@jetsaga/events';
import { connectionOptions, publishEnvelope } from '@jetsaga/messaging/ops';
import { runCli } from './support/cli.js';
import { TestStack, transferServices, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';
import { assertCausalChain } from './support/assertions.js';

/** A transfer still PENDING this long fails (`timeout`): long enough for the others, short enough to wait for. */
const DEADLINE_MS = 3000;

describe('the transfer saga (TCC) across the transfer service and two banks, each a process', () => {
  let t: TestStack;

  before(async () => {
    t = await TestStack.start({ services: transferServices, env: { JETSAGA_TRANSFER_DEADLINE_MS: String(DEADLINE_MS) } });
    await t.send('Deposit', { accountId: 'alice', amount: 5000 }, { to: 'bank-a' });
    await t.send('Deposit', { accountId: 'carol', amount: 100 }, { to: 'bank-a' });
    await t.send('Deposit', { accountId: 'bob', amount: 1000 }, { to: 'bank-b' });
    await t.waitForQuiescence();
  });
  after(() => t?.stop());

  const account = (bank: string, accountId: string) =>
    t.rows(`bank-${bank}`, 'SELECT balance, frozen, pending, deposited, sent, received FROM accounts WHERE account_id = ?', accountId)[0];

  async function transfer(transferId: string, from: string, to: string, amount: number): Promise<TransferSummary> {
    const [fromBank, fromAccount] = from.split(':') as [string, string];
    const [toBank, toAccount] = to.split(':') as [string, string];
    const data = { transferId, from: { bank: fromBank, accountId: fromAccount }, to: { bank: toBank, accountId: toAccount }, amount };
    await t.send('RequestTransfer', data);
    return data;
  }

  /** The saga's events once `last` is among them (and nothing moves any more). */
  async function sagaUntil(transferId: string, last: string): Promise<Envelope[]> {
    await waitFor(async () => (await t.sagaTypes(transferId)).includes(last) || undefined, { timeoutMs: 15_000, what: `${last} of ${transferId}` });
    await t.waitForQuiescence();
    return (await t.sagaEvents(transferId)).map((e) => e.envelope);
  }

  it('moves money between two banks: freeze and pending credit, confirm, both banks confirm, completed', async () => {
    // when alice (bank a) sends bob (bank b) 2500
    const summary = await transfer('tr-ab', 'a:alice', 'b:bob', 2500);
    // then
    const events = await sagaUntil('tr-ab', 'TransferCompleted');
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 4), ['TransferRequested', 'FundsFrozen', 'CreditPrepared', 'TransferConfirmed']);
    // Both banks react to TransferConfirmed: their confirms may land in either order.
    assert.deepEqual(new Set(types.slice(4, 6)), new Set(['FreezeConfirmed', 'CreditConfirmed']));
    assert.deepEqual(types.slice(6), ['TransferCompleted']);
    assert.deepEqual(
      events.map((e) => [e.type, e.producer]).filter(([type]) => type !== 'FreezeConfirmed' && type !== 'CreditConfirmed'),
      [
        ['TransferRequested', 'transfer'],
        ['FundsFrozen', 'bank-a'],
        ['CreditPrepared', 'bank-b'],
        ['TransferConfirmed', 'transfer'],
        ['TransferCompleted', 'transfer'],
      ],
    );
    for (const e of events) assert.deepEqual(e.data, summary, `${e.type} carries the transfer`);
    assertCausalChain(events);
    assert.deepEqual(t.rows('transfer', 'SELECT status, fail_reason, frozen, credit_prepared, freeze_confirmed, credit_confirmed FROM transfers WHERE transfer_id = ?', 'tr-ab'), [
      { status: 'COMPLETED', fail_reason: null, frozen: 1, credit_prepared: 1, freeze_confirmed: 1, credit_confirmed: 1 },
    ]);
    assert.deepEqual(t.rows('bank-a', 'SELECT account_id, amount, status FROM freezes WHERE transfer_id = ?', 'tr-ab'), [{ account_id: 'alice', amount: 2500, status: 'DEBITED' }]);
    assert.deepEqual(t.rows('bank-b', 'SELECT account_id, amount, status FROM credits WHERE transfer_id = ?', 'tr-ab'), [{ account_id: 'bob', amount: 2500, status: 'CREDITED' }]);
    assert.deepEqual(t.rows('bank-a', 'SELECT count(*) AS n FROM credits'), [{ n: 0 }], 'bank a took no part as a destination');
    assert.deepEqual(t.rows('bank-b', 'SELECT count(*) AS n FROM freezes'), [{ n: 0 }], 'bank b took no part as a source');
    assert.deepEqual(account('a', 'alice'), { balance: 2500, frozen: 0, pending: 0, deposited: 5000, sent: 2500, received: 0 });
    assert.deepEqual(account('b', 'bob'), { balance: 3500, frozen: 0, pending: 0, deposited: 1000, sent: 0, received: 2500 });
    assert.equal(t.count('transfer', "SELECT count(*) AS n FROM timers WHERE id = 'TransferDeadline:tr-ab' AND fired_at IS NULL"), 0, 'the deadline is disarmed');
    await assertInvariants(t);
  });

  it('moves money within one bank: the same bank freezes, prepares, and confirms both ends in one step', async () => {
    // when alice sends carol (both bank a) 500
    await transfer('tr-aa', 'a:alice', 'a:carol', 500);
    // then every bank event is bank a's, in one order
    const events = await sagaUntil('tr-aa', 'TransferCompleted');
    assert.deepEqual(
      events.map((e) => `${e.producer} ${e.type}`),
      [
        'transfer TransferRequested',
        'bank-a FundsFrozen',
        'bank-a CreditPrepared',
        'transfer TransferConfirmed',
        'bank-a FreezeConfirmed',
        'bank-a CreditConfirmed',
        'transfer TransferCompleted',
      ],
    );
    assertCausalChain(events);
    assert.deepEqual(t.rows('transfer', 'SELECT status FROM transfers WHERE transfer_id = ?', 'tr-aa'), [{ status: 'COMPLETED' }]);
    assert.deepEqual(t.rows('bank-a', 'SELECT status FROM freezes WHERE transfer_id = ?', 'tr-aa'), [{ status: 'DEBITED' }]);
    assert.deepEqual(t.rows('bank-a', 'SELECT status FROM credits WHERE transfer_id = ?', 'tr-aa'), [{ status: 'CREDITED' }]);
    assert.deepEqual(account('a', 'alice'), { balance: 2000, frozen: 0, pending: 0, deposited: 5000, sent: 3000, received: 0 });
    assert.deepEqual(account('a', 'carol'), { balance: 600, frozen: 0, pending: 0, deposited: 100, sent: 0, received: 500 });
    assert.deepEqual(t.rows('bank-b', 'SELECT count(*) AS n FROM freezes WHERE transfer_id = ?', 'tr-aa'), [{ n: 0 }]);
    await assertInvariants(t);
  });

  it('fails for insufficient funds: nothing frozen, and the destination leaves a tombstone', async () => {
    // when bob (3500) sends 999999
    await transfer('tr-poor', 'b:bob', 'a:alice', 999_999);
    // then
    const events = await sagaUntil('tr-poor', 'TransferFailed');
    assert.deepEqual(events.map((e) => e.type), ['TransferRequested', 'FreezeRefused', 'TransferFailed']);
    assert.deepEqual(events[1]!.data, { ...events[0]!.data as object, reason: 'insufficient_funds', balance: 3500 });
    assert.equal((events[2]!.data as { reason: string }).reason, 'insufficient_funds');
    assertCausalChain(events);
    assert.deepEqual(t.rows('transfer', 'SELECT status, fail_reason FROM transfers WHERE transfer_id = ?', 'tr-poor'), [{ status: 'FAILED', fail_reason: 'insufficient_funds' }]);
    assert.deepEqual(t.rows('bank-b', 'SELECT status FROM freezes WHERE transfer_id = ?', 'tr-poor'), [{ status: 'REFUSED' }]);
    // the cancel reached the destination before any try: a tombstone, so a late FundsFrozen would do nothing
    assert.deepEqual(t.rows('bank-a', 'SELECT account_id, status FROM credits WHERE transfer_id = ?', 'tr-poor'), [{ account_id: 'alice', status: 'CANCELLED' }]);
    assert.deepEqual(account('b', 'bob'), { balance: 3500, frozen: 0, pending: 0, deposited: 1000, sent: 0, received: 2500 });
    assert.deepEqual(account('a', 'alice'), { balance: 2000, frozen: 0, pending: 0, deposited: 5000, sent: 3000, received: 0 });
    await assertInvariants(t);
  });

  it('fails for an unknown source account', async () => {
    await transfer('tr-nosrc', 'a:nobody', 'b:bob', 100);

    const events = await sagaUntil('tr-nosrc', 'TransferFailed');
    assert.deepEqual(events.map((e) => e.type), ['TransferRequested', 'FreezeRefused', 'TransferFailed']);
    assert.equal((events[1]!.data as { reason: string }).reason, 'unknown_account');
    assert.deepEqual(t.rows('transfer', 'SELECT status, fail_reason FROM transfers WHERE transfer_id = ?', 'tr-nosrc'), [{ status: 'FAILED', fail_reason: 'unknown_source_account' }]);
    assert.deepEqual(t.rows('bank-a', 'SELECT status FROM freezes WHERE transfer_id = ?', 'tr-nosrc'), [{ status: 'REFUSED' }]);
    assert.deepEqual(t.rows('bank-a', "SELECT count(*) AS n FROM accounts WHERE account_id = 'nobody'"), [{ n: 0 }], 'no account is opened by a transfer');
    assert.deepEqual(t.rows('bank-b', 'SELECT status FROM credits WHERE transfer_id = ?', 'tr-nosrc'), [{ status: 'CANCELLED' }]);
    await assertInvariants(t);
  });

  it('fails for an unknown destination account, and the source releases its freeze', async () => {
    await transfer('tr-nodst', 'a:alice', 'b:nobody', 700);

    const events = await sagaUntil('tr-nodst', 'FreezeReleased');
    assert.deepEqual(events.map((e) => e.type), ['TransferRequested', 'FundsFrozen', 'CreditRefused', 'TransferFailed', 'FreezeReleased']);
    assert.equal((events[2]!.data as { reason: string }).reason, 'unknown_account');
    assertCausalChain(events);
    assert.deepEqual(t.rows('transfer', 'SELECT status, fail_reason FROM transfers WHERE transfer_id = ?', 'tr-nodst'), [{ status: 'FAILED', fail_reason: 'unknown_destination_account' }]);
    assert.deepEqual(t.rows('bank-a', 'SELECT status FROM freezes WHERE transfer_id = ?', 'tr-nodst'), [{ status: 'RELEASED' }]);
    assert.deepEqual(t.rows('bank-b', 'SELECT status FROM credits WHERE transfer_id = ?', 'tr-nodst'), [{ status: 'REFUSED' }]);
    assert.deepEqual(account('a', 'alice'), { balance: 2000, frozen: 0, pending: 0, deposited: 5000, sent: 3000, received: 0 });
    await assertInvariants(t);
  });

  it('fails at its deadline when the destination bank never answers, and the freeze is released', async () => {
    // bank c is not running: no one prepares the credit
    await transfer('tr-late', 'a:alice', 'c:dave', 300);

    const events = await sagaUntil('tr-late', 'FreezeReleased');
    assert.deepEqual(events.map((e) => e.type), ['TransferRequested', 'FundsFrozen', 'TransferFailed', 'FreezeReleased']);
    assert.equal((events[2]!.data as { reason: string }).reason, 'timeout');
    assert.ok(Date.parse(events[2]!.occurredAt) - Date.parse(events[0]!.occurredAt) >= DEADLINE_MS - 50, 'not before the deadline');
    assert.deepEqual(t.rows('transfer', 'SELECT status, fail_reason FROM transfers WHERE transfer_id = ?', 'tr-late'), [{ status: 'FAILED', fail_reason: 'timeout' }]);
    assert.deepEqual(t.rows('bank-a', 'SELECT status FROM freezes WHERE transfer_id = ?', 'tr-late'), [{ status: 'RELEASED' }]);
    assert.deepEqual(account('a', 'alice'), { balance: 2000, frozen: 0, pending: 0, deposited: 5000, sent: 3000, received: 0 });
    await assertInvariants(t);
  });

  it('a destination bank down past the deadline: its late try is cancelled (tombstone, or prepared then dropped)', async () => {
    // given bank b is down
    await t.stack.service('bank-b').stop();
    // when alice sends bob 400, and the deadline passes
    await transfer('tr-down', 'a:alice', 'b:bob', 400);
    await waitFor(async () => (await t.sagaTypes('tr-down')).includes('FreezeReleased') || undefined, { timeoutMs: 15_000, what: 'the freeze released' });
    // then bank b comes back to a FundsFrozen and a TransferFailed, in whichever order its consumers take them
    await t.stack.service('bank-b').start();
    await t.waitForQuiescence();
    const types = await t.sagaTypes('tr-down');
    assert.deepEqual(types.slice(0, 4), ['TransferRequested', 'FundsFrozen', 'TransferFailed', 'FreezeReleased']);
    const late = types.slice(4);
    const credit = t.rows<{ status: string }>('bank-b', 'SELECT status FROM credits WHERE transfer_id = ?', 'tr-down')[0]!.status;
    if (credit === 'CANCELLED') assert.deepEqual(late, [], 'the cancel came first: a tombstone, the late try did nothing');
    else assert.deepEqual([credit, late], ['DROPPED', ['CreditPrepared', 'CreditDropped']], 'the try came first: prepared, then dropped');
    assert.deepEqual(t.rows('transfer', 'SELECT status, fail_reason FROM transfers WHERE transfer_id = ?', 'tr-down'), [{ status: 'FAILED', fail_reason: 'timeout' }]);
    assert.deepEqual(account('b', 'bob'), { balance: 3500, frozen: 0, pending: 0, deposited: 1000, sent: 0, received: 2500 });
    await assertInvariants(t);
  });

  it("refuses bank a's identity a forged event of bank b: each bank may publish only its own events", { skip: process.env.NATS_URL ? 'NATS_URL: no identities' : false }, async () => {
    const bankA = await connect(connectionOptions(t.stack.access('bank-a')));
    try {
      const forged = createEnvelope('CreditPrepared', { transferId: 'tr-forged', from: { bank: 'a', accountId: 'alice' }, to: { bank: 'b', accountId: 'bob' }, amount: 1 }, { producer: 'bank-b', sagaId: 'tr-forged' });
      const why = await publishEnvelope(bankA.jetstream(), 'evt.bank-b.CreditPrepared.tr-forged._', forged).then(
        () => 'allowed',
        (err: NatsError) => `${err.code}: ${err.message}`,
      );
      assert.match(why, /PERMISSIONS_VIOLATION.*evt\.bank-b\.CreditPrepared/);
      // its own subject is its own: the publish goes through (and a CreditPrepared for no transfer changes nothing)
      await publishEnvelope(bankA.jetstream(), 'evt.bank-a.CreditPrepared.tr-forged._', { ...forged, producer: 'bank-a' });
    } finally {
      await bankA.close();
    }
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('transfer', 'SELECT count(*) AS n FROM transfers WHERE transfer_id = ?', 'tr-forged'), [{ n: 0 }]);
    // (were there a transfer tr-forged, the transfer service would refuse it: a CreditPrepared from bank-a, not its destination bank-b)
    assert.deepEqual(await t.deadLetters(), []);
    await assertInvariants(t);
  });

  it('the CLI: jetsaga bank deposit, then jetsaga transfer following the saga to its end', async () => {
    const jetsaga = (...args: string[]) => runCli(['--nats', t.stack.natsUrl, '--data-dir', t.stack.dataDir, ...args]);
    const deposit = await jetsaga('bank', 'deposit', 'b', 'erin', '900');
    assert.equal(deposit.code, 0, deposit.stderr);
    assert.match(deposit.stdout, /Deposit sent to bank-b .*erin \+= 900/);
    const done = await jetsaga('transfer', 'b:erin', 'a:carol', '400', '--id', 'tr-cli');
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /RequestTransfer tr-cli accepted/);
    assert.match(done.stdout, /COMPLETED/);
    await t.waitForQuiescence();
    assert.deepEqual(account('b', 'erin'), { balance: 500, frozen: 0, pending: 0, deposited: 900, sent: 400, received: 0 });
    // trace follows it by its id, across the transfer service and both banks, with their steps
    const trace = await jetsaga('trace', 'tr-cli');
    assert.equal(trace.code, 0, trace.stderr);
    for (const line of [/transfer\s+.*TransferRequested/, /bank-b\s+.*FundsFrozen/, /bank-a\s+.*CreditPrepared/, /transfer\s+.*TransferCompleted/, /bank-b-TransferRequested/, /bank-a-FundsFrozen/]) {
      assert.match(trace.stdout, line);
    }
    const unknown = await jetsaga('bank', 'deposit', 'z', 'erin', '1');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no stream takes cmd\.bank-z\.Deposit: is bank "z" among JETSAGA_BANKS/);
    await assertInvariants(t);
  });

  it('starts nothing new for a repeated transferId, and refuses a deposit to a bank that is not listed', async () => {
    const before = await t.sagaTypes('tr-ab');
    // a new envelope (new id) for the same transferId
    await transfer('tr-ab', 'a:alice', 'b:bob', 2500);
    await t.waitForQuiescence();
    assert.deepEqual(await t.sagaTypes('tr-ab'), before);
    assert.deepEqual(account('a', 'alice'), { balance: 2000, frozen: 0, pending: 0, deposited: 5000, sent: 3000, received: 0 });
    // no stream takes cmd.bank-z.Deposit: the publish fails at once
    await assert.rejects(() => t.send('Deposit', { accountId: 'x', amount: 1 }, { to: 'bank-z' }), /503|no responders/i);
    await assertInvariants(t);
  });

  it('over NATS: jetsaga sagas lists the transfers; reconcile finds them consistent, then names a corrupted bank row (exit 3)', async () => {
    const jetsaga = (...args: string[]) => runCli(['--nats', t.stack.natsUrl, '--data-dir', t.stack.dataDir, ...args]);
    await t.waitForQuiescence();
    const sagas = await jetsaga('sagas', '--json', '--limit', '200');
    assert.equal(sagas.code, 0, sagas.stderr);
    const listing = JSON.parse(sagas.stdout) as { owners: string[]; sagas: { sagaId: string; owner: string; kind: string; state: string; amount: number | null }[] };
    assert.deepEqual(listing.owners, ['transfer']);
    assert.deepEqual(
      listing.sagas.filter((x) => x.sagaId === 'tr-ab').map((x) => [x.owner, x.kind, x.state, x.amount]),
      [['transfer', 'transfer', 'COMPLETED', 2500]],
    );
    const failed = await jetsaga('sagas', '--failed', '--json');
    assert.ok((JSON.parse(failed.stdout) as { sagas: { sagaId: string; state: string }[] }).sagas.every((x) => x.state === 'FAILED'));
    const clean = await jetsaga('reconcile', '--settle', '0', '--json');
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    const report = JSON.parse(clean.stdout) as { checked: number; disagreements: unknown[]; services: string[]; problems: string[] };
    assert.deepEqual(report.services.sort(), ['bank-a', 'bank-b', 'transfer']);
    assert.ok(report.checked >= 5, `checked ${report.checked}`);
    // when bank a's freeze of tr-ab goes back to FROZEN behind the saga's back (a bug, a bad restore)
    const bank = new Database(t.stack.dbPath('bank-a'));
    bank.prepare("UPDATE freezes SET status = 'FROZEN' WHERE transfer_id = 'tr-ab'").run();
    bank.close();
    // then reconcile names the transfer and the bank's broken invariant
    const found = await jetsaga('reconcile', '--settle', '0');
    assert.equal(found.code, 3, found.stdout + found.stderr);
    assert.match(found.stdout, /tr-ab: transfer COMPLETED but freeze is FROZEN/);
    assert.match(found.stdout, /invariant: bank-a: account alice: frozen 0 but its FROZEN freezes hold 2500/);
  });
});
