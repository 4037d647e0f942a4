import type { DataOf, Envelope, EventDraft, MessageType } from '@jetsaga/events';
import type { Logger } from './logger.js';

export interface ReactionContext<T extends MessageType, Tx> {
  /** The validated command or event being handled. */
  message: Envelope<T, DataOf<T>>;
  /** The open SQLite transaction: the work, the inbox row and the outbox rows commit together. */
  tx: Tx;
  now: Date;
  log: Logger;
  /** Queues an event; the kit wraps it in an envelope and writes it to the outbox in `tx`. */
  emit(draft: EventDraft): void;
}

/** A service's reaction to one message type. Synchronous: it runs inside a SQLite transaction. */
export type Reaction<T extends MessageType, Tx> = (ctx: ReactionContext<T, Tx>) => void;

/** The one wiring place of a service: which message type, which reaction. */
export type Subscriptions<Tx> = { [T in MessageType]?: Reaction<T, Tx> };
