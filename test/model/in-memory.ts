/**
 * The three services of the model, in memory, around the real decide functions: each handler
 * loads state, decides and saves the way the service's reactions and store do
 * (services/<service>/src/reactions/*.ts, store.ts), with plain maps for tables and sets for
 * timers. No inbox: a trail's steps are already the messages that got past it. Any decide
 * function can be swapped for a deliberately broken copy (`rules`), and `violations()` checks
 * the model's invariants, under the model's names, on the resulting state.
 */
import type {
  OrderCancelledData,
  OrderCreatedData,
  OrderConfirmedData,
  PaymentFailedData,
  PaymentRefundedData,
  PaymentSucceededData,
  PlaceOrderData,
  StockReservationFailedData,
  StockReservedData,
} from '@jetsaga/events';
import {
  decideCancellation,
  decideCommit,
  decideRelease,
  decideReserve,
  decideRestock,
  decideSetStock,
  type HoldTransfer,
  type InventoryDecision,
  type InventoryState,
  type ReleaseReason,
  type Reservation,
  type StockLevel,
} from '../../services/inventory/src/decide.js';
import { decideCancel as decideOrderCancel, decideConfirm, decidePlace, type Order, type OrderDecision } from '../../services/order/src/decide.js';
import {
  decideCancel as decidePaymentCancel,
  decideCharge,
  decideCredit,
  type Payment,
  type PaymentDecision,
  type Wallet,
} from '../../services/payment/src/decide.js';
import type { EmittedEvent, ReplayInput, ServiceHandlers } from './replay.js';

/** What the trail's run started from (run-spin.ts `scenarioOf`). */
export interface Scenario {
  sku: string;
  stock: number;
  wallet: number;
  keptHolds: boolean;
  orders: ReadonlyArray<{ orderId: string; customerId: string; quantity: number; unitPrice: number }>;
}

/** The decide functions the handlers call; replace one to break its rule. */
export interface Rules {
  decidePlace: typeof decidePlace;
  decideConfirm: typeof decideConfirm;
  decideOrderCancel: typeof decideOrderCancel;
  decideReserve: typeof decideReserve;
  decideCommit: typeof decideCommit;
  decideCancellation: typeof decideCancellation;
  decideRelease: typeof decideRelease;
  decideRestock: typeof decideRestock;
  decideCharge: typeof decideCharge;
  decidePaymentCancel: typeof decidePaymentCancel;
}

export const realRules: Rules = {
  decidePlace,
  decideConfirm,
  decideOrderCancel,
  decideReserve,
  decideCommit,
  decideCancellation,
  decideRelease,
  decideRestock,
  decideCharge,
  decidePaymentCancel,
};

const NOW = new Date('2024-05-01T12:00:00.000Z');
const DEADLINE_MS = 30_000;
const RELEASE_DELAY_MS = 5_000;

export interface World {
  handlers: ServiceHandlers;
  orders: Map<string, Order>;
  reservations: Map<string, Reservation>;
  stock: Map<string, StockLevel>;
  wallets: Map<string, Wallet>;
  payments: Map<string, Payment>;
  /** Armed timers: `OrderDeadline:<orderId>`, `ReleaseHold:<orderId>` (with the release reason). */
  timers: Map<string, unknown>;
  /** Stock moved from kept holds to re-orders (hold_transfers rows). */
  transfers: HoldTransfer[];
  /** Money moved per order by the payment service's events (captures minus refunds), and the captures. */
  ledger: Map<string, { captured: number; captures: number }>;
  /** Names of the model's invariants the state breaks (`quiescent`: also the end-of-run ones). */
  violations(options?: { quiescent?: boolean }): string[];
}

export function createWorld(scenario: Scenario, overrides: Partial<Rules> = {}): World {
  const rules: Rules = { ...realRules, ...overrides };
  const orders = new Map<string, Order>();
  const reservations = new Map<string, Reservation>();
  const stock = new Map<string, StockLevel>([[scenario.sku, decideSetStock(undefined, { sku: scenario.sku, quantity: scenario.stock })]]);
  const wallets = new Map<string, Wallet>();
  for (const customerId of new Set(scenario.orders.map((o) => o.customerId))) {
    wallets.set(customerId, decideCredit(undefined, { customerId, amount: scenario.wallet }));
  }
  const payments = new Map<string, Payment>();
  const timers = new Map<string, unknown>();
  const ledger = new Map<string, { captured: number; captures: number }>();
  const transfers: HoldTransfer[] = [];
  let paymentIds = 0;

  // ---- order (reactions/place-order.ts, payment-succeeded.ts, payment-failed.ts, stock-reservation-failed.ts, order-deadline.ts)
  const applyOrder = (d: OrderDecision) => {
    if (d.order) {
      orders.set(d.order.orderId, d.order);
      if (d.order.status !== 'PENDING') timers.delete(`OrderDeadline:${d.order.orderId}`); // store.applyDecision disarms
    }
    return d.events;
  };
  const order = (input: ReplayInput): readonly EmittedEvent[] => {
    const current = orders.get(input.orderId);
    switch (input.type) {
      case 'PlaceOrder': {
        const d = rules.decidePlace(current, input.data as PlaceOrderData, NOW, DEADLINE_MS);
        const key = `OrderDeadline:${input.orderId}`;
        if (d.deadline && !timers.has(key)) timers.set(key, null);
        return applyOrder(d);
      }
      case 'StockReservationFailed':
        return applyOrder(rules.decideOrderCancel(orders.get((input.data as StockReservationFailedData).orderId), 'out_of_stock'));
      case 'PaymentFailed':
        return applyOrder(rules.decideOrderCancel(orders.get((input.data as PaymentFailedData).orderId), 'payment_failed'));
      case 'PaymentSucceeded':
        return applyOrder(rules.decideConfirm(orders.get((input.data as PaymentSucceededData).orderId)));
      case 'OrderDeadline': {
        fire(`OrderDeadline:${input.orderId}`);
        return applyOrder(rules.decideOrderCancel(current, 'timeout'));
      }
      default:
        throw new Error(`order does not handle ${input.type}`);
    }
  };

  // ---- inventory (reactions/order-created.ts, order-confirmed.ts, cancellation.ts, release-hold.ts, payment-refunded.ts; store.ts)
  const levels = (skus: Iterable<string>) => {
    const m = new Map<string, StockLevel>();
    for (const sku of skus) {
      const l = stock.get(sku);
      if (l) m.set(sku, l);
    }
    return m;
  };
  const loadState = (orderId: string, skus: string[] = []): InventoryState => {
    const reservation = reservations.get(orderId);
    return { reservation, stock: levels(new Set([...skus, ...(reservation?.lines.map((l) => l.sku) ?? [])])) };
  };
  /** loadKeptHolds: the customer's RELEASING reservations, oldest first (Map order is creation order). */
  const keptHoldsOf = (customerId: string) => [...reservations.values()].filter((r) => r.customerId === customerId && r.status === 'RELEASING');
  const applyInventory = (d: InventoryDecision, orderId: string, reason?: ReleaseReason) => {
    const r = d.reservation;
    if (r) {
      // upsert: an existing row keeps its customer and lines (insertLine is ON CONFLICT DO NOTHING), takes the status
      const existing = reservations.get(r.orderId);
      reservations.set(
        r.orderId,
        existing
          ? { ...existing, status: r.status, lines: mergeLines(existing.lines, r.lines), ...(existing.customerId ? {} : r.customerId ? { customerId: r.customerId } : {}) }
          : r,
      );
    }
    for (const hold of d.keptHolds ?? []) reservations.set(hold.orderId, { ...reservations.get(hold.orderId)!, status: hold.status, lines: hold.lines });
    transfers.push(...(d.transfers ?? []));
    for (const l of d.stock) stock.set(l.sku, l);
    const key = `ReleaseHold:${orderId}`;
    if (d.releaseAt && !timers.has(key)) timers.set(key, reason);
    return d.events;
  };
  const inventory = (input: ReplayInput): readonly EmittedEvent[] => {
    switch (input.type) {
      case 'OrderCreated': {
        const o = input.data as OrderCreatedData;
        const state = { ...loadState(o.orderId, o.items.map((i) => i.sku)), keptHolds: keptHoldsOf(o.customerId) };
        return applyInventory(rules.decideReserve(state, o), o.orderId);
      }
      case 'OrderConfirmed': {
        const { orderId } = input.data as OrderConfirmedData;
        return applyInventory(rules.decideCommit(loadState(orderId)), orderId);
      }
      case 'PaymentFailed':
      case 'OrderCancelled': {
        const { orderId } = input.data as PaymentFailedData | OrderCancelledData;
        const reason: ReleaseReason = input.type === 'PaymentFailed' ? 'payment_failed' : 'order_cancelled';
        const delay = scenario.keptHolds ? RELEASE_DELAY_MS : 0;
        return applyInventory(rules.decideCancellation(loadState(orderId), orderId, reason, NOW, delay), orderId, reason);
      }
      case 'ReleaseHold': {
        const reason = fire(`ReleaseHold:${input.orderId}`) as ReleaseReason;
        return applyInventory(rules.decideRelease(loadState(input.orderId), input.orderId, reason), input.orderId);
      }
      case 'PaymentRefunded': {
        const { orderId, reason } = input.data as PaymentRefundedData;
        if (reason !== 'refund_requested') return [];
        return applyInventory(rules.decideRestock(loadState(orderId)), orderId);
      }
      default:
        throw new Error(`inventory does not handle ${input.type}`);
    }
  };

  // ---- payment (reactions/stock-reserved.ts, order-cancelled.ts)
  const applyPayment = (d: PaymentDecision) => {
    if (d.wallet) wallets.set(d.wallet.customerId, d.wallet);
    if (d.payment) payments.set(d.payment.orderId, d.payment);
    for (const e of d.events) {
      const entry = ledger.get(e.data.orderId) ?? { captured: 0, captures: 0 };
      if (e.type === 'PaymentSucceeded') ledger.set(e.data.orderId, { captured: entry.captured + e.data.amount, captures: entry.captures + 1 });
      if (e.type === 'PaymentRefunded') ledger.set(e.data.orderId, { ...entry, captured: entry.captured - e.data.amount });
    }
    return d.events;
  };
  const payment = (input: ReplayInput): readonly EmittedEvent[] => {
    switch (input.type) {
      case 'StockReserved': {
        const data = input.data as StockReservedData;
        const state = { wallet: wallets.get(data.customerId), payment: payments.get(data.orderId) };
        return applyPayment(rules.decideCharge(state, data, `pay-${++paymentIds}`));
      }
      case 'OrderCancelled': {
        const data = input.data as OrderCancelledData;
        const state = { wallet: wallets.get(data.customerId), payment: payments.get(data.orderId) };
        return applyPayment(rules.decidePaymentCancel(state, data, `pay-${++paymentIds}`));
      }
      default:
        throw new Error(`payment does not handle ${input.type}`);
    }
  };

  function fire(key: string): unknown {
    if (!timers.has(key)) throw new Error(`timer ${key} fired but it is not armed`);
    const payload = timers.get(key);
    timers.delete(key);
    return payload;
  }

  const world: World = {
    handlers: { order, inventory, payment },
    orders,
    reservations,
    stock,
    wallets,
    payments,
    timers,
    transfers,
    ledger,
    violations: ({ quiescent = false } = {}) => violations(world, scenario, quiescent),
  };
  return world;
}

function mergeLines(existing: Reservation['lines'], added: Reservation['lines']): Reservation['lines'] {
  const skus = new Set(existing.map((l) => l.sku));
  return [...existing, ...added.filter((l) => !skus.has(l.sku))];
}

const quantity = (r: Reservation | undefined) => r?.lines.reduce((n, l) => n + l.quantity, 0) ?? 0;

/** The model's invariants (saga.pml: check() and the Quiescence process), by the same names. */
function violations(w: World, scenario: Scenario, quiescent: boolean): string[] {
  const broken = new Set<string>();
  for (const l of w.stock.values()) {
    if (l.available < 0 || l.held < 0 || l.sold < 0 || l.available + l.held + l.sold !== l.received) broken.add('stock_conserved');
  }
  const rs = [...w.reservations.values()];
  const level = w.stock.get(scenario.sku)!;
  const holding = rs.filter((r) => r.status === 'HELD' || r.status === 'RELEASING').reduce((n, r) => n + quantity(r), 0);
  const selling = rs.filter((r) => r.status === 'COMMITTED').reduce((n, r) => n + quantity(r), 0);
  if (level.held !== holding || level.sold !== selling) broken.add('holds_match_reservations');
  for (const [customerId, wallet] of w.wallets) {
    const captured = scenario.orders.filter((o) => o.customerId === customerId).reduce((n, o) => n + (w.ledger.get(o.orderId)?.captured ?? 0), 0);
    if (wallet.balance < 0 || wallet.balance + captured !== wallet.credited) broken.add('money_conserved');
  }
  for (const { orderId } of scenario.orders) {
    const o = w.orders.get(orderId);
    const r = w.reservations.get(orderId);
    const p = w.payments.get(orderId);
    const ledger = w.ledger.get(orderId) ?? { captured: 0, captures: 0 };
    if (ledger.captures > 1 || ledger.captured !== (p?.status === 'CAPTURED' ? p.amount : 0)) broken.add('charged_at_most_once');
    if (o?.status === 'CANCELLED' && r?.status === 'COMMITTED') broken.add('cancelled_never_confirmed');
    if (o?.status === 'CONFIRMED' && !(p?.status === 'CAPTURED' && (r?.status === 'HELD' || r?.status === 'COMMITTED'))) broken.add('confirmed_is_paid_and_held');
    if (!quiescent) continue;
    if (o?.status !== 'CONFIRMED' && o?.status !== 'CANCELLED') broken.add('every_saga_terminal');
    if (o?.status === 'CONFIRMED' && !(r?.status === 'COMMITTED' && p?.status === 'CAPTURED')) broken.add('confirmed_sold_and_paid');
    if (o?.status === 'CANCELLED' && (r?.status === 'HELD' || r?.status === 'RELEASING')) broken.add('no_hold_left_behind');
    if (o?.status === 'CANCELLED' && (p?.status === 'CAPTURED' || ledger.captured !== 0)) broken.add('no_charge_left_behind');
  }
  const customerOf = (orderId: string) => scenario.orders.find((o) => o.orderId === orderId)?.customerId;
  if (w.transfers.some((t) => customerOf(t.fromOrderId) !== customerOf(t.toOrderId))) broken.add('kept_holds_stay_with_their_customer');
  return [...broken].sort();
}
