import { randomBytes } from 'node:crypto';

/** W3C trace context: `00-<trace-id>-<parent-id>-<flags>`. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A traceparent for the next hop: same trace as `parent` (when valid), new span id. */
export function childTraceparent(parent?: string | null): string {
  const parsed = parent ? TRACEPARENT.exec(parent) : null;
  // All-zero ids are invalid (W3C): such a parent starts a new trace.
  const match = parsed && !/^0+$/.test(parsed[1]!) && !/^0+$/.test(parsed[2]!) ? parsed : null;
  const traceId = match?.[1] ?? randomBytes(16).toString('hex');
  const flags = match?.[3] ?? '01';
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}

export function traceIdOf(traceparent: string | null | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}
