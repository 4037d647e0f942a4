import { z } from 'zod';
import { defineEvent } from '../define.js';
import { tokenId } from '../ids.js';

const points = z.number().int().nonnegative();

export const PointsAwarded = defineEvent({
  type: 'PointsAwarded',
  version: 1,
  owner: 'loyalty',
  partyKey: 'customerId',
  summary: "The order's pending points were confirmed (TCC confirm) and now count in the balance.",
  data: z.object({ orderId: tokenId, customerId: tokenId, points, balance: points }),
});
export type PointsAwardedData = z.infer<typeof PointsAwarded.data>;

export const PointsReverted = defineEvent({
  type: 'PointsReverted',
  version: 1,
  owner: 'loyalty',
  partyKey: 'customerId',
  summary:
    "The order's points were cancelled (still pending) or taken back (confirmed). A balance never goes below 0: what it could not cover is recorded as debt.",
  data: z.object({
    orderId: tokenId,
    customerId: tokenId,
    points,
    wasConfirmed: z.boolean(),
    /** Points the balance could not cover, added to the customer's debt. */
    debt: points,
    balance: points,
    reason: z.enum(['order_cancelled', 'order_refunded']),
  }),
});
export type PointsRevertedData = z.infer<typeof PointsReverted.data>;

export const WelcomePointsAwarded = defineEvent({
  type: 'WelcomePointsAwarded',
  version: 1,
  owner: 'loyalty',
  partyKey: 'customerId',
  sagaKey: 'customerId',
  summary: "A newly registered customer got the welcome points (WELCOME_POINTS), once per customer; they count in the balance at once.",
  data: z.object({ customerId: tokenId, points, balance: points }),
});
export type WelcomePointsAwardedData = z.infer<typeof WelcomePointsAwarded.data>;
