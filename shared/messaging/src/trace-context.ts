import { randomFillSync } from 'node:crypto';

/** W3C trace context: `00-<trace-id>-<parent-id>-<flags>`. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A traceparent for the next hop: same trace as `parent` (when valid), new span id. */
export function childTraceparent(parent?: string | null): string {
  const parsed = parent ? TRACEPARENT.exec(parent) : null;
  // All-zero ids are invalid (W3C): such a parent starts a new trace.
  const match = parsed && !/^0+$/.test(parsed[1]!) && !/^0+$/.test(parsed[2]!) ? parsed : null;
  const traceId = match?.[1] ?? randomHex(16);
  const flags = match?.[3] ?? '01';
  return `00-${traceId}-${randomHex(8)}-${flags}`;
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
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}
