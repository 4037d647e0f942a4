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

/** Amounts are integers in minor units (cents); one currency per deployment. */
export const amount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const positiveAmount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const quantity = z.number().int().positive().max(1_000_000);
