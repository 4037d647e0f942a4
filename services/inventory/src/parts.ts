import {
  draft,
  type EventDraft,
  type OrderItem,
  type Partition,
  partitionOf,
  type ReservationFailureReason,
  type StockPartRefusedData,
  type StockReservationFailedData,
  totalOf,
} from '@jetsaga/events';
import { decideReserve, type InventoryDecision, type InventoryState, type PartAnswer } from './decide.js';

/**
 * Inventory as N partitions (docs/partitions.md): each owns the skus that map to it, takes
 * every order event, and acts on its own lines. An order whose skus all live in one partition
 * is decided there, as by a single inventory. Otherwise each owning partition answers for its
 * lines (StockPartHeld / StockPartRefused), and the partition owning the order id decides
 * once every one has answered.
 */

type OrderSummary = { orderId: string; customerId: string; items: OrderItem[]; total: number };

/** The partitions owning an order's skus, ascending. */
export function partsOf(items: readonly { sku: string }[], count: number): number[] {
  return [...new Set(items.map((i) => partitionOf(i.sku, count)))].sort((a, b) => a - b);
}

/** Whether this partition owns any of these skus (always, unpartitioned). */
export function ownsAny(items: readonly { sku: string }[], partition: Partition | undefined): boolean {
  return !partition || items.some((i) => partitionOf(i.sku, partition.count) === partition.index);
}

/**
 * OrderCreated at a partition: nothing when it owns none of the skus; the whole decision
 * (StockReserved or StockReservationFailed) when it owns them all; else its part held or
 * refused, all or nothing for its own lines, answered to the order's deciding partition.
 */
export function decideReservePart(state: InventoryState, order: OrderSummary, partition: Partition | undefined): InventoryDecision {
  if (!partition) return decideReserve(state, order);
  const parts = partsOf(order.items, partition.count);
  if (!parts.includes(partition.index)) return {};
  if (parts.length === 1) return decideReserve(state, order);
  const mine = order.items.filter((i) => partitionOf(i.sku, partition.count) === partition.index);
  const local = decideReserve(state, { ...order, items: mine, total: totalOf(mine) });
  const part = { part: partition.index, parts };
  const events = (local.events ?? []).map((e): EventDraft => {
    // Held at the catalog's prices, which are the order's: the summary is the order's own.
    if (e.type === 'StockReserved') return draft('StockPartHeld', { orderId: order.orderId, customerId: order.customerId, items: order.items, total: order.total, ...part });
    if (e.type === 'StockReservationFailed') {
      const { orderId, ...refusal } = e.data as StockReservationFailedData;
      return draft('StockPartRefused', { orderId, ...part, ...refusal });
    }
    return e;
  });
  return { ...local, events };
}

/**
 * A part's answer at the order's deciding partition: kept; once every part has answered,
 * StockReserved when all held, else StockReservationFailed with the refusals merged (the
 * first reason of not_for_sale, price_mismatch, out_of_stock that any part gave, listing every
 * part's skus of it), as a single inventory would have refused the whole order.
 */
export function decidePartAnswer(answers: readonly PartAnswer[], answer: PartAnswer): InventoryDecision {
  if (answers.some((a) => a.data.part === answer.data.part)) return {};
  const all = [...answers, answer];
  const changes = { stock: [], partAnswer: answer };
  if (new Set(all.map((a) => a.data.part)).size < answer.data.parts.length) return { changes };
  const refused = all.flatMap((a) => (a.held ? [] : [a.data]));
  if (refused.length === 0) {
    const { orderId, customerId, items, total } = (answer as Extract<PartAnswer, { held: true }>).data;
    return { changes, events: [draft('StockReserved', { orderId, customerId, items, total })] };
  }
  return { changes, events: [draft('StockReservationFailed', { orderId: answer.data.orderId, ...mergedRefusal(refused) })] };
}

const reasonOrder: readonly ReservationFailureReason[] = ['not_for_sale', 'price_mismatch', 'out_of_stock'];

function mergedRefusal(refused: readonly StockPartRefusedData[]): Omit<StockReservationFailedData, 'orderId'> {
  const byPart = [...refused].sort((a, b) => a.part - b.part);
  const reason = reasonOrder.find((r) => byPart.some((p) => p.reason === r))!;
  const of = byPart.filter((p) => p.reason === reason);
  if (reason === 'not_for_sale') return { reason, notForSale: of.flatMap((p) => p.notForSale ?? []) };
  if (reason === 'price_mismatch') return { reason, prices: of.flatMap((p) => p.prices ?? []) };
  return { reason, shortages: of.flatMap((p) => p.shortages ?? []) };
}
