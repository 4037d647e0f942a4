import { z } from 'zod';
import { defineCommand } from '../define.js';
import { amount, email, reasonText, tokenId, walletCredit } from '../ids.js';
import { orderItems, transferSummary } from './common.js';

export const PlaceOrder = defineCommand({
  type: 'PlaceOrder',
  version: 1,
  owner: 'order',
  sagaKey: 'orderId',
  summary:
    "Start an order saga. The client picks orderId; a repeat with the same orderId creates nothing new. One line per sku; the total (quantity x unitPrice, summed) at most 2^53-1. Each unitPrice is the price the customer agreed to: unless it is inventory's current price for the sku, the order is cancelled (`price_mismatch`, or `not_for_sale` for a sku with no price).",
  data: z.object({ orderId: tokenId, customerId: tokenId, items: orderItems }),
});
export type PlaceOrderData = z.infer<typeof PlaceOrder.data>;

export const SetStock = defineCommand({
  type: 'SetStock',
  version: 1,
  owner: 'inventory',
  partyKey: 'sku',
  summary: 'Set the quantity of a sku available for new reservations (held and sold stock are not touched).',
  data: z.object({ sku: tokenId, quantity: z.number().int().nonnegative().max(1_000_000_000) }),
});
export type SetStockData = z.infer<typeof SetStock.data>;

export const SetPrice = defineCommand({
  type: 'SetPrice',
  version: 1,
  owner: 'inventory',
  partyKey: 'sku',
  summary:
    'Set the unit price of a sku (minor units). Inventory owns prices: a sku with no price is not for sale, and an order must carry the current price of each of its skus.',
  data: z.object({ sku: tokenId, unitPrice: amount }),
});
export type SetPriceData = z.infer<typeof SetPrice.data>;

export const CreditWallet = defineCommand({
  type: 'CreditWallet',
  version: 1,
  owner: 'payment',
  partyKey: 'customerId',
  summary:
    "Add money to a customer's wallet (created on first credit). A wallet holds at most 1000000000000 (10,000,000,000.00): a credit that would take its balance past that is refused, dead-lettered with reason `fact_mismatch`.",
  data: z.object({ customerId: tokenId, amount: walletCredit }),
});
export type CreditWalletData = z.infer<typeof CreditWallet.data>;

export const RequestRefund = defineCommand({
  type: 'RequestRefund',
  version: 1,
  owner: 'order',
  sagaKey: 'orderId',
  summary: 'Refund a CONFIRMED order: money back, stock back, points reverted. Refused (RefundRejected) otherwise.',
  data: z.object({ orderId: tokenId, reason: reasonText }),
});
export type RequestRefundData = z.infer<typeof RequestRefund.data>;

export const CancelOrder = defineCommand({
  type: 'CancelOrder',
  version: 1,
  owner: 'order',
  sagaKey: 'orderId',
  summary:
    'An operator cancels an order saga that is not over yet (PENDING): OrderCancelled with reason `manual` (and the text given), and every participant compensates as for a timeout. Refused (CancelRejected) for an unknown order or one that is over (CONFIRMED, CANCELLED, REFUNDED) or being refunded.',
  data: z.object({ orderId: tokenId, reason: reasonText }),
});
export type CancelOrderData = z.infer<typeof CancelOrder.data>;

export const Deposit = defineCommand({
  type: 'Deposit',
  version: 1,
  owner: 'bank',
  summary:
    "Add money to an account of the bank the subject names (`cmd.bank-a.Deposit`: bank `a`); the first deposit opens the account. An account holds at most 1000000000000 (balance, frozen and pending credits together): a deposit past that is refused, dead-lettered with reason `fact_mismatch`.",
  data: z.object({ accountId: tokenId, amount: walletCredit }),
});
export type DepositData = z.infer<typeof Deposit.data>;

export const RequestTransfer = defineCommand({
  type: 'RequestTransfer',
  version: 1,
  owner: 'transfer',
  sagaKey: 'transferId',
  summary:
    'Start a transfer saga: move `amount` from one account to another, at the same bank or another (try / confirm / cancel). The client picks transferId; a repeat with the same transferId starts nothing new. `from` and `to` differ.',
  data: transferSummary.refine((t) => t.from.bank !== t.to.bank || t.from.accountId !== t.to.accountId, {
    message: 'from and to are the same account',
    path: ['to'],
  }),
});
export type RequestTransferData = z.infer<typeof RequestTransfer.data>;

export const RegisterCustomer = defineCommand({
  type: 'RegisterCustomer',
  version: 1,
  owner: 'customer',
  sagaKey: 'customerId',
  summary: 'Register a customer (saga id = customerId): CustomerRegistered, then welcome points and a welcome notice. A second registration of the same customerId is refused (RegistrationRefused, `already_registered`).',
  data: z.object({ customerId: tokenId, email }),
});
export type RegisterCustomerData = z.infer<typeof RegisterCustomer.data>;
