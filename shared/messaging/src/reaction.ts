import type { DataOf, Envelope, EventDraft, MessageType } from '@jetsaga/events';
import type { Logger } from './logger.js';
import type { DueTimer, TimerRequest } from './timers.js';

/** What every reaction and timer reaction can do inside its transaction. */
export interface EffectContext<Tx> {
  /** The open SQLite transaction: the work, the inbox row, outbox rows and timers commit together. */
  tx: Tx;
  now: Date;
  log: Logger;
  /** Queues an event; the kit wraps it in an envelope and writes it to the outbox in `tx`. */
  emit(draft: EventDraft): void;
  /** Arms a durable timer in `tx` (a no-op if the same kind and key is armed already). */
  schedule(timer: TimerRequest): void;
  /** Disarms a timer in `tx` (no-op if none is armed). */
  cancelTimer(kind: string, key: string): void;
}

export interface ReactionContext<T extends MessageType, Tx> extends EffectContext<Tx> {
  /** The validated command or event being handled. */
  message: Envelope<T, DataOf<T>>;
}

/** A service's reaction to one message type. Synchronous: it runs inside a SQLite transaction. */
export type Reaction<T extends MessageType, Tx> = (ctx: ReactionContext<T, Tx>) => void;

/** The one wiring place of a service: which message type, which reaction. */
export type Subscriptions<Tx> = { [T in MessageType]?: Reaction<T, Tx> };

export interface TimerContext<Tx> extends EffectContext<Tx> {
  timer: DueTimer;
}

/** What a service does when one of its timers is due; runs in a transaction, like a reaction. */
export type TimerReaction<Tx> = (ctx: TimerContext<Tx>) => void;
