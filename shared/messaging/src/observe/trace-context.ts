import { randomFillSync } from 'node:crypto';

/** W3C trace context: `00-<trace-id>-<parent-id>-<flags>`. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

/** The parts of a traceparent, or undefined when it is not one. */
export function parseTraceparent(traceparent: string | null | undefined): TraceContext | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  return m ? { traceId: m[1]!, spanId: m[2]!, flags: m[3]! } : undefined;
}

/** A traceparent for the next hop: same trace as `parent` (when valid), new span id. */
export function childTraceparent(parent?: string | TraceContext | null): string {
  const parsed = typeof parent === 'string' ? parseTraceparent(parent) : (parent ?? undefined);
  // All-zero ids are invalid (W3C): such a parent starts a new trace.
  const valid = parsed && !/^0+$/.test(parsed.traceId) && !/^0+$/.test(parsed.spanId) ? parsed : undefined;
  return `00-${valid?.traceId ?? randomHex(16)}-${randomHex(8)}-${valid?.flags ?? '01'}`;
}

// Random ids come from a pool refilled 4 KB at a time: a randomBytes call per message costs
// more than the rest of building the traceparent.
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('hex', used - bytes, used);
}

export function traceIdOf(traceparent: string | null | undefined): string | undefined {
  return parseTraceparent(traceparent)?.traceId;
}
