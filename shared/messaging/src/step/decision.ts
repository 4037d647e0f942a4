import type { DataOf, Envelope, EventDraft, MessageType, Partition } from '@jetsaga/events';
import type { TimerRef, TimerRequest } from './timer-rows.js';

/** A validated command or event of type `T`, as a router receives it. */
export type Message<T extends MessageType> = T extends MessageType ? Envelope<T, DataOf<T>> : never;

/** A durable timer that came due, as a router receives it: `type` is the timer's kind. */
export interface TimerDue<K extends string> {
  type: K;
  /** What the timer is about (e.g. an order id). */
  key: string;
  payload: unknown;
}

/** Everything a service reacts to: the message types it subscribes to and its timers. */
export type Input<T extends MessageType, K extends string = never> = [K] extends [never] ? Message<T> : Message<T> | TimerDue<K>;

/** What a router decided: state changes to save, events to emit, timers to arm and disarm. */
export interface Decision<Changes> {
  changes?: Changes;
  events?: EventDraft[];
  arm?: TimerRequest[];
  disarm?: TimerRef[];
  /**
   * The input contradicts this service's own records (what differed): nothing is saved or
   * emitted, and the message is dead-lettered at once with reason `fact_mismatch`.
   */
  mismatch?: string;
}

/** What a router may know besides its state and input: time, settings and fresh ids. */
export interface ReactContext<Settings> {
  now: Date;
  settings: Settings;
  newId(): string;
  /** The partition this process runs (JETSAGA_PARTITION), when its service is split. */
  partition?: Partition | undefined;
}
