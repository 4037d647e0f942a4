import type { z } from 'zod';
import type { ServiceName } from './envelope.js';

/** One version of one message type: its schema, who owns it, what it means. */
export interface MessageDef<
  K extends 'command' | 'event' = 'command' | 'event',
  T extends string = string,
  S extends z.ZodType = z.ZodType,
> {
  kind: K;
  type: T;
  version: number;
  /**
   * The producer of an event, or the service a command is addressed to. For a service run once
   * per instance (`bank`), the kind: an instance (`bank-a`) produces the event, or takes the
   * command on its own subject (`cmd.bank-a.Deposit`).
   */
  owner: ServiceName;
  summary: string;
  data: S;
  /**
   * Commands that start a saga: the data field whose value is the envelope's sagaId. Events:
   * the field naming their saga (an event on another saga is `saga_mismatch`); without it, an
   * event whose data has an `orderId` belongs to that order's saga.
   */
  sagaKey?: string;
  /**
   * The data field naming the party whose state the message changes at a service partitioned
   * by party (payment and loyalty: `customerId`; inventory: `sku`): the subject's key token.
   * A command's key is its sagaKey when it has one, else this.
   */
  partyKey?: string;
  /** Events that report a failed or refused step (counted as saga failures by step). */
  failure?: boolean;
}

export function defineEvent<const T extends string, S extends z.ZodType>(
  def: Omit<MessageDef<'event', T, S>, 'kind'>,
): MessageDef<'event', T, S> {
  return { kind: 'event', ...def };
}

export function defineCommand<const T extends string, S extends z.ZodType>(
  def: Omit<MessageDef<'command', T, S>, 'kind'>,
): MessageDef<'command', T, S> {
  return { kind: 'command', ...def };
}
