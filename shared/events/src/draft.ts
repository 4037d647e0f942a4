import type { DataOf, EventType } from './registry.js';

/**
 * An event a decision asks to emit, before it has an envelope: the type and its data,
 * optionally another saga than the message being handled.
 */
export type EventDraft = { [T in EventType]: { type: T; data: DataOf<T>; sagaId?: string } }[EventType];

/** Builds a typed draft; the compiler checks `data` against the event's schema. */
export function draft<T extends EventType>(type: T, data: DataOf<T>): Extract<EventDraft, { type: T }> {
  return { type, data } as unknown as Extract<EventDraft, { type: T }>;
}
