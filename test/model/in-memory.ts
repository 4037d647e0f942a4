/**
 * The three services of the model, in memory, around their real routers: each handler builds
 * the router's input (`message(type, data, sagaId)`, or `timerDue(kind, key, payload)` for a
 * timer that is armed), loads the state the way the service's store.ts `loadState` does, calls
 * `react(state, input, { now, settings, newId })` from services/<service>/src/react.ts, and
 * does what the kit's runStep does with the Decision: a `mismatch` is dead-lettered with
 * nothing saved or emitted; else `changes` are folded into plain maps the way the service's
 * store.ts `saveChanges` does (upserts that keep what the SQL keeps), timers are disarmed and
 * armed (a `(kind, key)` that was ever armed is not armed again), and `events` are emitted.
 * No inbox: a trail's steps are already the messages that got past it.
 *
 * A deliberately broken rule is a wrapper around a real router (`routers`), e.g. inventory
 * routing OrderCreated with the tombstone hidden from its state; `violations()` checks the
 * model's invariants, under the model's names, on the resulting state.
 */
import type { MessageType, StockLine } from '@jetsaga/events';
import { message, type ReactContext, timerDue, type TimerRef, type TimerRequest } from '@jetsaga/messaging';
import type { HoldTransfer, InventoryChanges, InventoryState, Reservation, StockLevel } from '../../services/inventory/src/decide.js';
import { type InventoryInput, inventoryMessages, inventoryTimers, react as inventoryReact } from '../../services/inventory/src/react.js';
import type { InventorySettings } from '../../services/inventory/src/settings.js';
import type { Order } from '../../services/order/src/decide.js';
import { type OrderInput, orderIdOf, orderMessages, orderTimers, react as orderReact } from '../../services/order/src/react.js';
import type { OrderSettings } from '../../services/order/src/settings.js';
import type { Payment, PaymentChanges, Wallet } from '../../services/payment/src/decide.js';
import { type PaymentInput, paymentMessages, react as paymentReact } from '../../services/payment/src/react.js';
import type { EmittedEvent, ReplayInput, ServiceHandlers } from './replay.js';

/** What the trail's run started from (run-spin.ts `scenarioOf`). */
export interface Scenario {
  sku: string;
  stock: number;
  wallet: number;
  keptHolds: boolean;
  orders: ReadonlyArray<{ orderId: string; customerId: string; quantity: number; unitPrice: number }>;
}

/** The routers the handlers call; replace one by a wrapper around the real one to break a rule. */
export interface Routers {
  order: typeof orderReact;
  inventory: typeof inventoryReact;
  payment: typeof paymentReact;
}

export const realRouters: Routers = { order: orderReact, inventory: inventoryReact, payment: paymentReact };

type ServiceName = keyof Routers;

/** The services' settings in the replay: ORDER_DEADLINE_MS, and STOCK_RELEASE_DELAY_MS when the scenario keeps holds. */
export const DEADLINE_MS = 30_000;
export const RELEASE_DELAY_MS = 5_000;
const START = new Date('2024-05-01T12:00:00.000Z');

/** A timers row (the kit's table, one per service db): fired or disarmed rows stay until pruned. */
export interface TimerRow {
  kind: string;
  key: string;
  dueAt: Date;
  payload: unknown;
  fired: boolean;
}

/** A message a router found contradicting the service's records: dead-lettered (`fact_mismatch`), nothing changed. */
export interface DeadLetter {
  service: ServiceName;
  type: string;
  orderId: string;
  reason: 'fact_mismatch';
  error: string;
}

export interface World {
  handlers: ServiceHandlers;
  orders: Map<string, Order>;
  /** Reservation rows with their lines (reservations + reservation_lines). */
  reservations: Map<string, Reservation>;
  stock: Map<string, StockLevel>;
  prices: Map<string, number>;
  wallets: Map<string, Wallet>;
  payments: Map<string, Payment>;
  /** Each service's timers rows, by `<kind>:<key>` (the kit's timer id). */
  timers: Record<ServiceName, Map<string, TimerRow>>;
  /** Stock moved from kept holds to re-orders (hold_transfers rows). */
  transfers: HoldTransfer[];
  /** Money moved per order by the payment service's events (captures minus refunds), and the captures. */
  ledger: Map<string, { captured: number; captures: number }>;
  /** Inputs a router refused as contradicting its records (Decision.mismatch). */
  deadLetters: DeadLetter[];
  /** Names of the model's invariants the state breaks (`quiescent`: also the end-of-run ones). */
  violations(options?: { quiescent?: boolean }): string[];
}

/**
 * A world seeded as the scenario says, through the routers themselves: SetStock and SetPrice
 * (the model's unit price) to inventory, CreditWallet to payment for each customer.
 */
export function createWorld(scenario: Scenario, overrides: Partial<Routers> = {}): World {
  const routers: Routers = { ...realRouters, ...overrides };
  const orders = new Map<string, Order>();
  const reservations = new Map<string, Reservation>();
  /** reservations.created_at: kept holds are loaded oldest first (then by order id). */
  const createdAt = new Map<string, number>();
  const stock = new Map<string, StockLevel>();
  const prices = new Map<string, number>();
  const wallets = new Map<string, Wallet>();
  const payments = new Map<string, Payment>();
  const timers: World['timers'] = { order: new Map(), inventory: new Map(), payment: new Map() };
  const ledger = new Map<string, { captured: number; captures: number }>();
  const transfers: HoldTransfer[] = [];
  const deadLetters: DeadLetter[] = [];
  let ids = 0;
  let clock = START.getTime();

  const settings = {
    order: { deadlineMs: DEADLINE_MS } satisfies OrderSettings,
    inventory: { releaseDelayMs: scenario.keptHolds ? RELEASE_DELAY_MS : 0 } satisfies InventorySettings,
    payment: {},
  };
  const contextOf = <S>(s: S, now: Date): ReactContext<S> => ({ now, settings: s, newId: () => `id-${++ids}` });

  /**
   * runStep: what the kit does with a router's decision, inside the step's transaction.
   * Returns the events to emit (none for a mismatch: the message is dead-lettered).
   */
  function runStep<C>(
    service: ServiceName,
    input: { type: string },
    orderId: string,
    decide: (now: Date) => { changes?: C; events?: readonly EmittedEvent[]; arm?: TimerRequest[]; disarm?: TimerRef[]; mismatch?: string },
    save: (changes: C, now: number) => void,
  ): readonly EmittedEvent[] {
    const now = new Date((clock += 1));
    const d = decide(now);
    if (d.mismatch !== undefined) {
      deadLetters.push({ service, type: input.type, orderId, reason: 'fact_mismatch', error: d.mismatch });
      return [];
    }
    if (d.changes !== undefined) save(d.changes, now.getTime());
    const own = timers[service];
    for (const t of d.disarm ?? []) {
      const row = own.get(`${t.kind}:${t.key}`);
      if (row) row.fired = true;
    }
    for (const t of d.arm ?? []) {
      const id = `${t.kind}:${t.key}`;
      if (!own.has(id)) own.set(id, { kind: t.kind, key: t.key, dueAt: t.dueAt, payload: t.payload ?? null, fired: false });
    }
    return d.events ?? [];
  }

  /** The router's input for a replay step: a message (validated like the kit's), or a due timer; null for a timer that is not armed. */
  function inputOf(service: ServiceName, input: ReplayInput, messages: readonly string[], timerKinds: readonly string[]) {
    if (input.kind === 'timer') {
      if (!timerKinds.includes(input.type)) throw new Error(`${service} has no timer ${input.type}`);
      // timer-loop.ts: the timer is marked fired in the commit of its step, so it fires once
      const row = timers[service].get(`${input.type}:${input.orderId}`);
      if (!row || row.fired) return null;
      row.fired = true;
      return timerDue(input.type, row.key, row.payload);
    }
    if (!messages.includes(input.type)) throw new Error(`${service} does not handle ${input.type}`);
    return message(input.type as MessageType, input.data as never, input.orderId);
  }

  // ---- order (react.ts; store.ts: loadState, saveChanges)
  const saveOrder = ({ order }: { order: Order }) => {
    const existing = orders.get(order.orderId);
    // upsertOrder: on conflict only the status and the reasons change
    orders.set(order.orderId, existing ? { ...existing, status: order.status, cancelReason: order.cancelReason, refundReason: order.refundReason } : order);
  };
  const order = (step: ReplayInput): readonly EmittedEvent[] | null => {
    const input = inputOf('order', step, orderMessages, orderTimers) as OrderInput | null;
    if (!input) return null;
    const state = { order: orders.get(orderIdOf(input)) };
    return runStep('order', input, step.orderId, (now) => routers.order(state, input, contextOf(settings.order, now)), saveOrder);
  };

  // ---- inventory (react.ts; store.ts: loadState, loadKeptHolds, saveChanges)
  const levels = (skus: Iterable<string>) => {
    const m = new Map<string, StockLevel>();
    for (const sku of skus) {
      const l = stock.get(sku);
      if (l) m.set(sku, { ...l });
    }
    return m;
  };
  const copy = (r: Reservation): Reservation => ({ ...r, lines: r.lines.map((l) => ({ ...l })) });
  const orderState = (orderId: string, skus: string[] = []): InventoryState => {
    const row = reservations.get(orderId);
    const reservation = row && copy(row);
    return { reservation, stock: levels(new Set([...skus, ...(reservation?.lines.map((l) => l.sku) ?? [])])) };
  };
  /** loadKeptHolds: the customer's RELEASING reservations, oldest first (created_at, then order id). */
  const keptHoldsOf = (customerId: string) =>
    [...reservations.values()]
      .filter((r) => r.customerId === customerId && r.status === 'RELEASING')
      .sort((a, b) => createdAt.get(a.orderId)! - createdAt.get(b.orderId)! || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0))
      .map(copy);
  const pricesOf = (skus: string[]) => new Map(skus.flatMap((sku) => (prices.has(sku) ? [[sku, prices.get(sku)!] as const] : [])));
  const loadInventory = (input: InventoryInput): InventoryState => {
    switch (input.type) {
      case 'SetStock':
        return { reservation: undefined, stock: levels([input.data.sku]) };
      case 'SetPrice':
        return { reservation: undefined, stock: new Map() };
      case 'OrderCreated': {
        const skus = input.data.items.map((i) => i.sku);
        return { ...orderState(input.data.orderId, skus), keptHolds: keptHoldsOf(input.data.customerId), prices: pricesOf(skus) };
      }
      case 'ReleaseHold':
        return orderState(input.key);
      default:
        return orderState(input.data.orderId);
    }
  };
  const saveInventory = (changes: InventoryChanges, now: number) => {
    const r = changes.reservation;
    if (r) {
      // upsertReservation: on conflict only the status changes (the customer of a tombstone stays null);
      // insertLine: ON CONFLICT DO NOTHING per (order, sku)
      const existing = reservations.get(r.orderId);
      if (existing) reservations.set(r.orderId, { ...existing, status: r.status, lines: mergeLines(existing.lines, r.lines) });
      else {
        reservations.set(r.orderId, { orderId: r.orderId, ...(r.customerId ? { customerId: r.customerId } : {}), status: r.status, lines: mergeLines([], r.lines) });
        createdAt.set(r.orderId, now);
      }
    }
    // saveShrunkHold: the status, and the lines replaced
    for (const hold of changes.keptHolds ?? []) {
      const existing = reservations.get(hold.orderId);
      if (existing) reservations.set(hold.orderId, { ...existing, status: hold.status, lines: hold.lines.map((l) => ({ ...l })) });
    }
    transfers.push(...(changes.transfers ?? []));
    for (const l of changes.stock) stock.set(l.sku, { ...l });
    for (const p of changes.prices ?? []) prices.set(p.sku, p.unitPrice);
  };
  const inventory = (step: ReplayInput): readonly EmittedEvent[] | null => {
    const input = inputOf('inventory', step, inventoryMessages, inventoryTimers) as InventoryInput | null;
    if (!input) return null;
    const state = loadInventory(input);
    return runStep('inventory', input, step.orderId, (now) => routers.inventory(state, input, contextOf(settings.inventory, now)), saveInventory);
  };

  // ---- payment (react.ts; store.ts: loadState, saveChanges)
  const loadPayment = (input: PaymentInput) => {
    if (input.type === 'CreditWallet') return { wallet: copyOf(wallets.get(input.data.customerId)), payment: undefined };
    const payment = copyOf(payments.get(input.data.orderId));
    return { wallet: copyOf(wallets.get(payment?.customerId ?? input.data.customerId)), payment };
  };
  const savePayment = ({ wallet, payment: p }: PaymentChanges) => {
    if (wallet) wallets.set(wallet.customerId, { customerId: wallet.customerId, balance: wallet.balance, credited: wallet.credited });
    if (p) {
      // upsertPayment: on conflict only the status changes (paymentId, customer and amount stay the first row's)
      const existing = payments.get(p.orderId);
      payments.set(p.orderId, existing ? { ...existing, status: p.status } : { ...p });
    }
  };
  const payment = (step: ReplayInput): readonly EmittedEvent[] | null => {
    const input = inputOf('payment', step, paymentMessages, []) as PaymentInput | null;
    if (!input) return null;
    const state = loadPayment(input);
    const events = runStep('payment', input, step.orderId, (now) => routers.payment(state, input, contextOf(settings.payment, now)), savePayment);
    for (const e of events) {
      const data = e.data as { orderId: string; amount: number };
      const entry = ledger.get(data.orderId) ?? { captured: 0, captures: 0 };
      if (e.type === 'PaymentSucceeded') ledger.set(data.orderId, { captured: entry.captured + data.amount, captures: entry.captures + 1 });
      if (e.type === 'PaymentRefunded') ledger.set(data.orderId, { ...entry, captured: entry.captured - data.amount });
    }
    return events;
  };

  const handlers: ServiceHandlers = { order, inventory, payment };

  // ---- the scenario's seed, through the routers: stock, the catalog price, the wallets
  const seed = (service: ServiceName, type: string, data: unknown, key: string) => {
    const emitted = handlers[service]!({ kind: 'command', type, orderId: key, data });
    if (emitted === null || deadLetters.length > 0) throw new Error(`seeding ${type} ${JSON.stringify(data)} failed: ${JSON.stringify(deadLetters)}`);
  };
  seed('inventory', 'SetStock', { sku: scenario.sku, quantity: scenario.stock }, scenario.sku);
  const unitPrices = new Set(scenario.orders.map((o) => o.unitPrice));
  if (unitPrices.size !== 1) throw new Error(`the scenario's orders have several unit prices: ${[...unitPrices].join(', ')}`);
  seed('inventory', 'SetPrice', { sku: scenario.sku, unitPrice: [...unitPrices][0]! }, scenario.sku);
  for (const customerId of new Set(scenario.orders.map((o) => o.customerId))) seed('payment', 'CreditWallet', { customerId, amount: scenario.wallet }, customerId);

  const world: World = {
    handlers,
    orders,
    reservations,
    stock,
    prices,
    wallets,
    payments,
    timers,
    transfers,
    ledger,
    deadLetters,
    violations: ({ quiescent = false } = {}) => violations(world, scenario, quiescent),
  };
  return world;
}

function copyOf<T extends object>(row: T | undefined): T | undefined {
  return row && { ...row };
}

/** Lines inserted ON CONFLICT DO NOTHING: a sku the reservation has already keeps its line. */
function mergeLines(existing: readonly StockLine[], added: readonly StockLine[]): StockLine[] {
  const out = existing.map((l) => ({ ...l }));
  for (const l of added) if (!out.some((e) => e.sku === l.sku)) out.push({ ...l });
  return out;
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
