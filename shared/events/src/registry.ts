import type { z } from 'zod';
import type { MessageDef } from './define.js';
import { CreditConfirmed, CreditDropped, CreditPrepared, CreditRefused, FreezeConfirmed, FreezeRefused, FreezeReleased, FundsFrozen } from './messages/bank-events.js';
import { CancelOrder, CreditWallet, Deposit, PlaceOrder, RegisterCustomer, RequestRefund, RequestTransfer, SetPrice, SetStock } from './messages/commands.js';
import { CustomerRegistered, RegistrationRefused } from './messages/customer-events.js';
import { StockCommitted, StockHoldTransferred, StockPartHeld, StockPartRefused, StockReleased, StockReservationFailed, StockReserved, StockRestocked } from './messages/inventory-events.js';
import { PointsAwarded, PointsReverted, WelcomePointsAwarded } from './messages/loyalty-events.js';
import { CancelRejected, OrderCancelled, OrderConfirmed, OrderCreated, OrderRefunded, RefundRejected, RefundRequested } from './messages/order-events.js';
import { PaymentFailed, PaymentRefunded, PaymentSucceeded } from './messages/payment-events.js';
import { TransferCompleted, TransferConfirmed, TransferFailed, TransferRequested } from './messages/transfer-events.js';

/** Every command and event version the system knows, saga by saga, each in saga order. */
export const messages = [
  PlaceOrder,
  SetStock,
  SetPrice,
  CreditWallet,
  RequestRefund,
  OrderCreated,
  StockReserved,
  StockReservationFailed,
  PaymentSucceeded,
  PaymentFailed,
  OrderConfirmed,
  OrderCancelled,
  StockCommitted,
  StockReleased,
  StockHoldTransferred,
  PaymentRefunded,
  PointsAwarded,
  PointsReverted,
  RefundRequested,
  RefundRejected,
  StockRestocked,
  StockPartHeld,
  StockPartRefused,
  OrderRefunded,
  // an operator's intervention (jetsaga saga cancel)
  CancelOrder,
  CancelRejected,
  // the transfer saga (TCC across two banks)
  Deposit,
  RequestTransfer,
  TransferRequested,
  FundsFrozen,
  FreezeRefused,
  CreditPrepared,
  CreditRefused,
  TransferConfirmed,
  TransferFailed,
  FreezeConfirmed,
  CreditConfirmed,
  FreezeReleased,
  CreditDropped,
  TransferCompleted,
  // registration -> welcome points
  RegisterCustomer,
  CustomerRegistered,
  RegistrationRefused,
  WelcomePointsAwarded,
] as const;

type AnyMessage = (typeof messages)[number];
export type CommandDef = Extract<AnyMessage, { kind: 'command' }>;
export type EventDef = Extract<AnyMessage, { kind: 'event' }>;
export type CommandType = CommandDef['type'];
export type EventType = EventDef['type'];
export type MessageType = AnyMessage['type'];

/** The data of a message type, as its newest version defines it. */
export type DataOf<T extends MessageType> = z.infer<Extract<AnyMessage, { type: T }>['data']>;

const byKey = new Map<string, MessageDef>(messages.map((m) => [`${m.type}@${m.version}`, m]));
const newest = new Map<string, MessageDef>();
for (const m of messages) {
  const seen = newest.get(m.type);
  if (!seen || seen.version < m.version) newest.set(m.type, m);
}

/** The definition of `(type, version)`, or undefined when the pair is unknown. */
export function lookup(type: string, version: number): MessageDef | undefined {
  return byKey.get(`${type}@${version}`);
}

/** The newest version of a type, or undefined for an unknown type. */
export function latest(type: string): MessageDef | undefined {
  return newest.get(type);
}

export function isEventType(type: string): type is EventType {
  return newest.get(type)?.kind === 'event';
}

export function isCommandType(type: string): type is CommandType {
  return newest.get(type)?.kind === 'command';
}
