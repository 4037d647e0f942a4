import type { MessageDef } from './define.js';
import type { ServiceName } from './envelope.js';

/** The key token of a message with no party key (an event no party-keyed service takes). */
export const NO_KEY = '_';

/**
 * `evt.<producer>.<EventType>.<sagaId>.<key>`: `evt.*.*.<sagaId>.>` is one whole saga. With
 * partitions the broker appends two tokens (docs/partitions.md): the partitions of the saga
 * id and of the key.
 */
export function eventSubject(producer: string, type: string, sagaId: string, key: string = NO_KEY): string {
  return `evt.${producer}.${type}.${sagaId}.${key}`;
}

/** `cmd.<service>.<CommandType>.<key>`: how users and the CLI start flows (the broker may append a partition). */
export function commandSubject(service: ServiceName | string, type: string, key: string = NO_KEY): string {
  return `cmd.${service}.${type}.${key}`;
}

/** The data field whose value is a message's key token: a command's sagaKey, else the def's partyKey (none: `_`). */
export function subjectKeyField(def: MessageDef): string | undefined {
  return def.kind === 'command' ? (def.sagaKey ?? def.partyKey) : def.partyKey;
}

/** The subject's key token of a message: a command's sagaKey, else the def's partyKey, else `_`. */
export function subjectKey(def: MessageDef, data: unknown): string {
  const field = subjectKeyField(def);
  const value = field === undefined ? undefined : (data as Record<string, unknown> | null)?.[field];
  return typeof value === 'string' ? value : NO_KEY;
}

/** `dlq.<service>.<EventType>`: where a consumer of `service` parks what it cannot handle. */
export function dlqSubject(service: string, type: string): string {
  return `dlq.${service}.${type}`;
}

/** Subject filter for every event of one type, from its producer (any key, any partition). */
export function eventFilter(producer: string, type: string): string {
  return `evt.${producer}.${type}.>`;
}

/** Subject filter for every command of one type to one service (any key, any partition). */
export function commandFilter(service: string, type: string): string {
  return `cmd.${service}.${type}.>`;
}

/** Every event of one saga (with or without the partition tokens). */
export function sagaFilter(sagaId: string): string {
  return `evt.*.*.${sagaId}.>`;
}

/** Every event of one saga stored before events carried a key token (`evt.<producer>.<Type>.<sagaId>`). */
export function legacySagaFilter(sagaId: string): string {
  return `evt.*.*.${sagaId}`;
}

export type ParsedSubject =
  | { kind: 'event'; producer: string; type: string; sagaId: string; key: string | null; partitions: string[] }
  | { kind: 'command'; service: string; type: string; key: string | null; partitions: string[] }
  | { kind: 'dlq'; service: string; type: string };

/**
 * Splits a jetsaga subject into its parts, or returns undefined when it is not one. Events and
 * commands stored before the key token (`evt.p.T.s`, `cmd.s.T`) parse with key null.
 */
export function parseSubject(subject: string): ParsedSubject | undefined {
  const parts = subject.split('.');
  if (parts.some((p) => p.length === 0)) return undefined;
  const [root, a, b, c, d] = parts;
  if (root === 'evt' && (parts.length === 4 || parts.length === 5 || parts.length === 7)) {
    return { kind: 'event', producer: a!, type: b!, sagaId: c!, key: d ?? null, partitions: parts.slice(5) };
  }
  if (root === 'cmd' && (parts.length === 3 || parts.length === 4 || parts.length === 5)) {
    return { kind: 'command', service: a!, type: b!, key: c ?? null, partitions: parts.slice(4) };
  }
  if (root === 'dlq' && parts.length === 3) return { kind: 'dlq', service: a!, type: b! };
  return undefined;
}
