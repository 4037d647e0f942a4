import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/** A new unique, time-ordered id (UUIDv7): envelope ids sort by creation time. */
export function newId(): string {
  return uuidv7();
}

/**
 * Ids that end up as a NATS subject token (saga ids, order ids) or a consumer name part:
 * no dots, wildcards or whitespace.
 */
export const tokenId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');

/**
 * Other ids (the envelope's id, causationId, correlationId and producer, payment ids): 1-64
 * visible ASCII characters, so no control, bidi or other invisible characters reach logs,
 * headers and terminals.
 */
export const printableId = z
  .string()
  .regex(/^[\x21-\x7E]{1,64}$/, 'must be 1-64 visible ASCII characters (no spaces, control or non-ASCII characters)');

/** Free text a person wrote (a refund reason): bounded, no control, bidi or other format characters. */
export const reasonText = z
  .string()
  .min(1)
  .max(500)
  .regex(/^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]*$/u, 'must not contain control, bidi or other format characters');

/** An email address, as a customer registers it (at most 254 characters). */
export const email = z.email().max(254);

/** Amounts are integers in minor units (cents); one currency per deployment. */
export const amount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const positiveAmount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const quantity = z.number().int().positive().max(1_000_000);

/**
 * The most a wallet may hold, in minor units (10,000,000,000.00): a CreditWallet above it is
 * refused by its schema, one that would take a balance past it by payment (fact_mismatch).
 */
export const MAX_WALLET_BALANCE = 1_000_000_000_000;
export const walletCredit = z.number().int().positive().max(MAX_WALLET_BALANCE);
