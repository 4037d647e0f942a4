import type { SagaSide } from '@jetsaga/events';

/** A saga whose participants disagree: what each says, and what is wrong. */
export interface Disagreement {
  sagaId: string;
  problems: string[];
  sides: (SagaSide & { service: string })[];
}

export interface ReconcileOptions {
  /** Services that answered: a side missing from one that did not answer proves nothing. */
  answered: readonly string[];
  /** Services that run but did not answer: while a bank is among them, a freeze or credit missing proves nothing. */
  unanswered?: readonly string[];
  /** Sagas changed more recently than this are in flight, not wrong: skipped. */
  settleMs: number;
  now?: number;
}

/**
 * The invariants of the tests (test/support/invariants.ts), over the sides every service
 * reported of each saga: a CONFIRMED order is charged its own total to its own customer and its
 * stock committed; a CANCELLED one is neither charged nor holding stock, and has no points; a
 * REFUNDED one got its money and stock back; no hold, charge or points without an order; a
 * terminal order's notice went out. A transfer (test/support/invariants.ts, bankViolations): a
 * COMPLETED one was debited at its source and credited at its destination, of its amount; a
 * FAILED one neither, and holds nothing frozen or pending; no freeze or credit without a transfer.
 * A saga touched within `settleMs` is in flight, and skipped.
 */
export function findDisagreements(sides: readonly (SagaSide & { service: string })[], options: ReconcileOptions): { disagreements: Disagreement[]; inFlight: number; checked: number } {
  const now = options.now ?? Date.now();
  const answered = new Set(options.answered);
  // The banks' side is proven only when every bank that runs answered (a transfer's side does not say its banks).
  const banksAnswered = options.answered.some(isBank) && !(options.unanswered ?? []).some(isBank);
  const bySaga = new Map<string, (SagaSide & { service: string })[]>();
  for (const s of sides) bySaga.set(s.sagaId, [...(bySaga.get(s.sagaId) ?? []), s]);
  const disagreements: Disagreement[] = [];
  let inFlight = 0;
  for (const [sagaId, mine] of bySaga) {
    const latest = Math.max(...mine.map((s) => Date.parse(s.updatedAt)));
    if (now - latest < options.settleMs) {
      inFlight++;
      continue;
    }
    const problems = mine.some((s) => transferKinds.includes(s.kind)) ? checkTransfer(mine, answered, banksAnswered) : check(mine, answered);
    if (problems.length > 0) disagreements.push({ sagaId, problems, sides: mine });
  }
  disagreements.sort((a, b) => a.sagaId.localeCompare(b.sagaId));
  return { disagreements, inFlight, checked: bySaga.size - inFlight };
}

function check(sides: readonly SagaSide[], answered: ReadonlySet<string>): string[] {
  const of = (kind: string) => sides.find((s) => s.kind === kind);
  const order = of('order');
  const payment = of('payment');
  // Inventory as partitions: one reservation side per partition owning skus of the order.
  const reservations = sides.filter((s) => s.kind === 'reservation');
  const holding = reservations.find((r) => r.status === 'HELD' || r.status === 'COMMITTED');
  const points = of('points');
  const p: string[] = [];
  if (!order) {
    // Sagas of other owners (a customer's welcome notice) have no order: only order-saga records need one.
    if (!answered.has('order')) return p;
    if (holding) p.push(`stock ${holding.status} with no order`);
    if (payment && payment.status === 'CAPTURED') p.push(`payment CAPTURED (${payment.amount}) with no order`);
    if (points && (points.status === 'CONFIRMED' || points.status === 'PENDING')) p.push(`points ${points.status} with no order`);
    return p;
  }
  const paid = payment && (payment.status === 'CAPTURED' || payment.status === 'REFUNDED');
  if (paid && payment.amount !== order.amount) p.push(`order total ${order.amount} but payment ${payment.status} of ${payment.amount}`);
  if (paid && payment.customerId !== order.customerId) p.push(`order of ${order.customerId} but paid by ${payment.customerId}`);
  const stranger = reservations.find((r) => r.customerId && r.customerId !== order.customerId);
  if (stranger) p.push(`order of ${order.customerId} but stock held for ${stranger.customerId}`);
  // every side of the kind (a reservation per inventory partition) in one of the wanted states
  const expect = (what: 'payment' | 'reservation', sides: readonly SagaSide[], service: string, wanted: string[]) => {
    if (!answered.has(service)) return;
    const off = sides.find((s) => !wanted.includes(s.status));
    if (sides.length === 0 || off) p.push(`order ${order.status} but ${what} is ${off?.status ?? 'missing'}`);
  };
  const notice = (kind: string) => {
    if (!answered.has('notification')) return;
    const n = of(`notice:${kind}`);
    if (!n || n.status !== 'SENT') p.push(`order ${order.status} but its ${kind} notice is ${n?.status ?? 'missing'}`);
  };
  switch (order.status) {
    case 'PENDING':
      p.push('order still PENDING (past its deadline?): stuck');
      break;
    case 'REFUNDING':
      p.push('order still REFUNDING: stuck');
      break;
    case 'CONFIRMED':
      expect('payment', payment ? [payment] : [], 'payment', ['CAPTURED']);
      expect('reservation', reservations, 'inventory', ['COMMITTED']);
      if (points?.status === 'PENDING') p.push('order CONFIRMED but its points are still PENDING');
      notice('confirmed');
      break;
    case 'CANCELLED':
      if (payment?.status === 'CAPTURED') p.push('order CANCELLED but payment still CAPTURED');
      if (holding) p.push(`order CANCELLED but stock is ${holding.status}`);
      if (points && (points.status === 'CONFIRMED' || points.status === 'PENDING')) p.push(`order CANCELLED but its points are ${points.status}`);
      notice('cancelled');
      break;
    case 'REFUNDED':
      expect('payment', payment ? [payment] : [], 'payment', ['REFUNDED']);
      expect('reservation', reservations, 'inventory', ['RESTOCKED']);
      if (points && (points.status === 'CONFIRMED' || points.status === 'PENDING')) p.push(`order REFUNDED but its points are ${points.status}`);
      notice('refunded');
      break;
  }
  return p;
}

const transferKinds = ['transfer', 'freeze', 'credit'];
const isBank = (service: string) => service.startsWith('bank-');

/** A transfer saga: the transfer (transfer), its freeze (the source bank) and its credit (the destination bank). */
function checkTransfer(sides: readonly SagaSide[], answered: ReadonlySet<string>, banksAnswered: boolean): string[] {
  const of = (kind: string) => sides.find((s) => s.kind === kind);
  const transfer = of('transfer');
  const freeze = of('freeze');
  const credit = of('credit');
  const p: string[] = [];
  if (!transfer) {
    if (!answered.has('transfer')) return p;
    if (freeze && (freeze.status === 'FROZEN' || freeze.status === 'DEBITED')) p.push(`freeze ${freeze.status} (${freeze.amount}) with no transfer`);
    if (credit && (credit.status === 'PENDING' || credit.status === 'CREDITED')) p.push(`credit ${credit.status} (${credit.amount}) with no transfer`);
    return p;
  }
  for (const [what, side, live] of [
    ['freeze', freeze, ['FROZEN', 'DEBITED']],
    ['credit', credit, ['PENDING', 'CREDITED']],
  ] as const) {
    if (side && (live as readonly string[]).includes(side.status) && side.amount !== transfer.amount) p.push(`transfer of ${transfer.amount} but ${what} ${side.status} of ${side.amount}`);
  }
  switch (transfer.status) {
    case 'PENDING':
      p.push('transfer still PENDING (past its deadline?): stuck');
      break;
    case 'CONFIRMED':
      p.push('transfer still CONFIRMED (a bank has not confirmed its side): stuck');
      break;
    case 'COMPLETED':
      if (!banksAnswered) break;
      if (freeze?.status !== 'DEBITED') p.push(`transfer COMPLETED but freeze is ${freeze?.status ?? 'missing'}`);
      if (credit?.status !== 'CREDITED') p.push(`transfer COMPLETED but credit is ${credit?.status ?? 'missing'}`);
      break;
    case 'FAILED':
      if (freeze?.status === 'DEBITED') p.push('transfer FAILED but its source was DEBITED');
      if (freeze?.status === 'FROZEN') p.push('transfer FAILED but its freeze is still FROZEN');
      if (credit?.status === 'CREDITED') p.push('transfer FAILED but its destination was CREDITED');
      if (credit?.status === 'PENDING') p.push('transfer FAILED but its credit is still PENDING');
      break;
  }
  return p;
}
