import type { ServiceName } from './envelope.js';

/** `evt.<producer>.<EventType>.<sagaId>`: `evt.*.*.<sagaId>` is one whole saga. */
export function eventSubject(producer: string, type: string, sagaId: string): string {
  return `evt.${producer}.${type}.${sagaId}`;
}

/** `cmd.<service>.<CommandType>`: how users and the CLI start flows. */
export function commandSubject(service: ServiceName | string, type: string): string {
  return `cmd.${service}.${type}`;
}

/** `dlq.<service>.<EventType>`: where a consumer of `service` parks what it cannot handle. */
export function dlqSubject(service: string, type: string): string {
  return `dlq.${service}.${type}`;
}

/** Subject filter for every event of one type, from its producer. */
export function eventFilter(producer: string, type: string): string {
  return `evt.${producer}.${type}.*`;
}

export function sagaFilter(sagaId: string): string {
  return `evt.*.*.${sagaId}`;
}

export type ParsedSubject =
  | { kind: 'event'; producer: string; type: string; sagaId: string }
  | { kind: 'command'; service: string; type: string }
  | { kind: 'dlq'; service: string; type: string };

/** Splits a jetsaga subject into its parts, or returns undefined when it is not one. */
export function parseSubject(subject: string): ParsedSubject | undefined {
  const parts = subject.split('.');
  if (parts.some((p) => p.length === 0)) return undefined;
  const [root, a, b, c] = parts;
  if (root === 'evt' && parts.length === 4) return { kind: 'event', producer: a!, type: b!, sagaId: c! };
  if (root === 'cmd' && parts.length === 3) return { kind: 'command', service: a!, type: b! };
  if (root === 'dlq' && parts.length === 3) return { kind: 'dlq', service: a!, type: b! };
  return undefined;
}
