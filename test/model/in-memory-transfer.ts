/**
 * The transfer saga's services in memory, around their real routers (test/model/transfer.pml's
 * counterpart of in-memory.ts): `transfer` and one `bank-<id>` per bank, each handler building
 * the router's input (`message(type, data, sagaId)` with the emitting service as the producer,
 * or `timerDue` for an armed TransferDeadline), loading the state as the service's store.ts
 * `loadState` does, calling `react(state, input, { now, settings, newId })`
 * (services/transfer/src/react.ts, services/bank/src/react.ts), and doing what the kit does with
 * the Decision: a `mismatch` is dead-lettered with nothing saved or emitted; `changes` folded
 * in as store.ts `saveChanges` does (an account row upserted whole; a freeze, credit or transfer
 * row that exists changes only what the SQL's ON CONFLICT sets); timers disarmed and armed
 * (a kind and key armed once is never armed again); `events` emitted.
 *
 * The world is seeded through the banks' routers (a Deposit per account). A broken rule is a
 * wrapper around a real router; `violations()` checks transfer.pml's invariants, by its names,
 * on the code's state, with the in-flight correction of test/support/invariants.ts (`inFlight`).
 */
import type { MessageType } from '@jetsaga/events';
import { message, type ReactContext, timerDue, type TimerRef, type TimerRequest } from '@jetsaga/messaging';
import type { Account, BankChanges, BankState, Credit, Freeze } from '../../services/bank/src/decide.js';
import { type BankInput, bankMessages, react as bankReact } from '../../services/bank/src/react.js';
import type { BankSettings } from '../../services/bank/src/settings.js';
import type { Transfer } from '../../services/transfer/src/decide.js';
import { type TransferInput, transferIdOf, transferMessages, transferTimers, react as transferReact } from '../../services/transfer/src/react.js';
import type { TransferSettings } from '../../services/transfer/src/settings.js';
import { inFlight } from '../support/invariants.js';
import type { EmittedEvent, ReplayInput, ServiceHandlers } from './replay.js';

export interface AccountRef {
  bank: string;
  accountId: string;
}

/** What a transfer trail's run started from (run-spin.ts `transferScenarioOf`). */
export interface TransferScenario {
  deposits: ReadonlyArray<AccountRef & { amount: number }>;
  transfers: ReadonlyArray<{ transferId: string; from: AccountRef; to: AccountRef; amount: number }>;
}

export interface TransferRouters {
  transfer: typeof transferReact;
  bank: typeof bankReact;
}

export const realTransferRouters: TransferRouters = { transfer: transferReact, bank: bankReact };

export const TRANSFER_DEADLINE_MS = 30_000;
const START = new Date('2024-05-01T12:00:00.000Z');

export interface BankRows {
  accounts: Map<string, Account>;
  freezes: Map<string, Freeze>;
  credits: Map<string, Credit>;
}

export interface TransferWorld {
  handlers: ServiceHandlers;
  transfers: Map<string, Transfer>;
  banks: Map<string, BankRows>;
  /** transfer's timers rows by `<kind>:<key>`. */
  timers: Map<string, { kind: string; key: string; fired: boolean }>;
  deadLetters: Array<{ service: string; type: string; transferId: string; error: string }>;
  violations(options?: { quiescent?: boolean }): string[];
}

export function createTransferWorld(scenario: TransferScenario, overrides: Partial<TransferRouters> = {}): TransferWorld {
  const routers: TransferRouters = { ...realTransferRouters, ...overrides };
  const transfers = new Map<string, Transfer>();
  const bankIds = [...new Set([...scenario.deposits.map((d) => d.bank), ...scenario.transfers.flatMap((t) => [t.from.bank, t.to.bank])])].sort();
  const banks = new Map<string, BankRows>(bankIds.map((b) => [b, { accounts: new Map(), freezes: new Map(), credits: new Map() }]));
  const timers: TransferWorld['timers'] = new Map();
  const deadLetters: TransferWorld['deadLetters'] = [];
  let ids = 0;
  let clock = START.getTime();
  const contextOf = <S>(s: S, now: Date): ReactContext<S> => ({ now, settings: s, newId: () => `id-${++ids}` });

  /** runStep: a mismatch is a dead letter (nothing saved or emitted); else save, timers, events (with their producer). */
  function runStep<C>(
    service: string,
    input: { type: string },
    transferId: string,
    decide: (now: Date) => { changes?: C; events?: readonly EmittedEvent[]; arm?: TimerRequest[]; disarm?: TimerRef[]; mismatch?: string },
    save: (changes: C) => void,
  ): readonly EmittedEvent[] {
    const now = new Date((clock += 1));
    const d = decide(now);
    if (d.mismatch !== undefined) {
      deadLetters.push({ service, type: input.type, transferId, error: d.mismatch });
      return [];
    }
    if (d.changes !== undefined) save(d.changes);
    for (const t of d.disarm ?? []) {
      const row = timers.get(`${t.kind}:${t.key}`);
      if (row) row.fired = true;
    }
    for (const t of d.arm ?? []) if (!timers.has(`${t.kind}:${t.key}`)) timers.set(`${t.kind}:${t.key}`, { kind: t.kind, key: t.key, fired: false });
    return (d.events ?? []).map((e) => ({ type: e.type, data: e.data, producer: service }));
  }

  // ---- transfer (react.ts; store.ts loadState: the transfer row; saveChanges: upsertTransfer)
  const saveTransfer = ({ transfer: t }: { transfer: Transfer }) => {
    const existing = transfers.get(t.transferId);
    // on conflict: status, the four flags and failReason change; the summary stays the first row's
    transfers.set(
      t.transferId,
      existing ? { ...existing, status: t.status, frozen: t.frozen, creditPrepared: t.creditPrepared, freezeConfirmed: t.freezeConfirmed, creditConfirmed: t.creditConfirmed, failReason: t.failReason } : { ...t },
    );
  };
  const transfer = (step: ReplayInput): readonly EmittedEvent[] | null => {
    let input: TransferInput;
    if (step.kind === 'timer') {
      if (!(transferTimers as readonly string[]).includes(step.type)) throw new Error(`transfer has no timer ${step.type}`);
      const row = timers.get(`${step.type}:${step.orderId}`);
      if (!row || row.fired) return null;
      row.fired = true;
      input = timerDue(step.type, row.key) as TransferInput;
    } else {
      if (!(transferMessages as readonly string[]).includes(step.type)) throw new Error(`transfer does not handle ${step.type}`);
      input = { ...message(step.type as MessageType, step.data as never, step.orderId), producer: step.producer ?? 'cli' } as unknown as TransferInput;
    }
    const existing = transfers.get(transferIdOf(input));
    const state = { transfer: existing && { ...existing, from: { ...existing.from }, to: { ...existing.to } } };
    return runStep('transfer', input, step.orderId, (now) => routers.transfer(state, input, contextOf<TransferSettings>({ deadlineMs: TRANSFER_DEADLINE_MS }, now)), saveTransfer);
  };

  // ---- banks (react.ts; store.ts loadState: freeze and credit by transferId, then the rows' accounts, else the transfer's)
  const bankHandler = (bankId: string) => {
    const rows = banks.get(bankId)!;
    const accountsOf = (ids: string[]) => new Map(ids.flatMap((id) => (rows.accounts.has(id) ? [[id, { ...rows.accounts.get(id)! }] as const] : [])));
    const load = (input: BankInput): BankState => {
      if (input.type === 'Deposit') return { accounts: accountsOf([input.data.accountId]), freeze: undefined, credit: undefined };
      const { transferId, from, to } = input.data;
      const f = rows.freezes.get(transferId);
      const c = rows.credits.get(transferId);
      return { accounts: accountsOf([f?.accountId ?? from.accountId, c?.accountId ?? to.accountId]), freeze: f && { ...f }, credit: c && { ...c } };
    };
    const save = ({ accounts, freeze: f, credit: c }: BankChanges) => {
      for (const a of accounts ?? []) rows.accounts.set(a.accountId, { ...a });
      // upsertFreeze / upsertCredit: on conflict only the status changes
      if (f) rows.freezes.set(f.transferId, rows.freezes.has(f.transferId) ? { ...rows.freezes.get(f.transferId)!, status: f.status } : { ...f });
      if (c) rows.credits.set(c.transferId, rows.credits.has(c.transferId) ? { ...rows.credits.get(c.transferId)!, status: c.status } : { ...c });
    };
    const service = `bank-${bankId}`;
    return (step: ReplayInput): readonly EmittedEvent[] | null => {
      if (!(bankMessages as readonly string[]).includes(step.type)) throw new Error(`${service} does not handle ${step.type}`);
      const input = { ...message(step.type as MessageType, step.data as never, step.type === 'Deposit' ? null : step.orderId), producer: step.producer ?? 'cli' } as unknown as BankInput;
      const state = load(input);
      return runStep(service, input, step.orderId, (now) => routers.bank(state, input, contextOf<BankSettings>({ bankId }, now)), save);
    };
  };

  const handlers: Record<string, (step: ReplayInput) => readonly EmittedEvent[] | null> = { transfer };
  for (const b of bankIds) handlers[`bank-${b}`] = bankHandler(b);

  for (const d of scenario.deposits) {
    handlers[`bank-${d.bank}`]!({ kind: 'command', type: 'Deposit', orderId: d.accountId, data: { accountId: d.accountId, amount: d.amount } });
    if (deadLetters.length > 0) throw new Error(`seeding a deposit failed: ${JSON.stringify(deadLetters)}`);
  }

  const world: TransferWorld = { handlers, transfers, banks, timers, deadLetters, violations: ({ quiescent = false } = {}) => transferViolations(world, scenario, quiescent) };
  return world;
}

/** transfer.pml's invariants (check() and Quiescence), by the same names. */
function transferViolations(w: TransferWorld, scenario: TransferScenario, quiescent: boolean): string[] {
  const broken = new Set<string>();
  let holdings = 0;
  for (const rows of w.banks.values()) {
    const sum = (m: Map<string, Freeze | Credit>, accountId: string, status: string) => [...m.values()].filter((r) => r.accountId === accountId && r.status === status).reduce((n, r) => n + r.amount, 0);
    for (const a of rows.accounts.values()) {
      if (a.balance < 0 || a.frozen < 0 || a.pending < 0) broken.add('no_account_below_zero');
      if (
        a.balance + a.frozen !== a.deposited + a.received - a.sent ||
        a.frozen !== sum(rows.freezes, a.accountId, 'FROZEN') ||
        a.pending !== sum(rows.credits, a.accountId, 'PENDING') ||
        a.sent !== sum(rows.freezes, a.accountId, 'DEBITED') ||
        a.received !== sum(rows.credits, a.accountId, 'CREDITED')
      )
        broken.add('accounts_match_tries');
      holdings += a.balance + a.frozen + a.pending;
    }
  }
  const deposits = scenario.deposits.reduce((n, d) => n + d.amount, 0);
  let counted = 0;
  for (const t of scenario.transfers) {
    const f = w.banks.get(t.from.bank)?.freezes.get(t.transferId);
    const c = w.banks.get(t.to.bank)?.credits.get(t.transferId);
    counted += inFlight(f?.status, c?.status, t.amount);
    const status = w.transfers.get(t.transferId)?.status;
    if (status === 'FAILED' && (f?.status === 'DEBITED' || c?.status === 'CREDITED')) broken.add('failed_never_completed');
    if ((status === 'COMPLETED' && !(f?.status === 'DEBITED' && c?.status === 'CREDITED')) || (f?.status === 'DEBITED' && c?.status !== 'PENDING' && c?.status !== 'CREDITED'))
      broken.add('completed_is_debited_and_credited');
    if (!quiescent) continue;
    const terminal = status === 'COMPLETED' || status === 'FAILED';
    if (!terminal) broken.add('every_transfer_terminal');
    if (terminal && f?.status === 'FROZEN') broken.add('no_freeze_left_behind');
    if (terminal && c?.status === 'PENDING') broken.add('no_pending_credit_left_behind');
  }
  if (holdings - counted !== deposits) broken.add('money_conserved');
  if (w.deadLetters.length > 0) broken.add('no_fact_mismatch');
  return [...broken].sort();
}
