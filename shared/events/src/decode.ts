import type { z } from 'zod';
import type { MessageDef } from './define.js';
import { type Envelope, envelopeSchema, type RawEnvelope } from './envelope.js';
import { isInstanced, serviceKindOf } from './instances.js';
import { latest, lookup } from './registry.js';
import { partitionOf } from './partitions.js';
import { commandSubject, eventSubject, subjectKey } from './subjects.js';

/** Why a message was refused; each is final (retrying cannot fix it). */
export type InvalidReason =
  | 'too_large'
  | 'malformed_json'
  | 'invalid_envelope'
  | 'unknown_type'
  | 'unknown_version'
  | 'invalid_data'
  /** An event whose envelope sagaId is not its saga's key (data.orderId, data.transferId, ...). */
  | 'saga_mismatch'
  | 'subject_mismatch';

export type Decoded =
  | { ok: true; envelope: Envelope; def: MessageDef }
  | { ok: false; reason: InvalidReason; detail: string; envelope?: RawEnvelope };

export interface DecodeOptions {
  /** The subject the message arrived on; checked against the envelope when given. */
  subject?: string;
  /** Payload size limit in bytes (default 256 KiB). */
  maxBytes?: number;
  /**
   * How many partitions the broker maps subjects to (docs/partitions.md): the partition tokens
   * it appended are then checked against the saga id and key. Without it, any digits pass.
   */
  partitions?: number;
}

export const DEFAULT_MAX_BYTES = 256 * 1024;
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns wire bytes into a validated envelope, or says precisely why not: size, JSON,
 * envelope, `(type, version)`, data schema, saga (an order's event on another saga), subject.
 * Unknown data fields are dropped.
 */
export function decodeMessage(payload: Uint8Array | string, options: DecodeOptions = {}): Decoded {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxBytes) return fail('too_large', `payload is ${size} bytes, the limit is ${maxBytes}`);

  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : textDecoder.decode(payload));
  } catch (err) {
    return fail('malformed_json', (err as Error).message);
  }

  const env = envelopeSchema.safeParse(json);
  if (!env.success) return fail('invalid_envelope', describeIssues(env.error));
  const raw = env.data;

  const def = lookup(raw.type, raw.version);
  if (!def) {
    const known = latest(raw.type);
    if (!known) return fail('unknown_type', `unknown message type "${raw.type}"`, raw);
    return fail('unknown_version', `${raw.type} has no version ${raw.version}`, raw);
  }

  const data = def.data.safeParse(raw.data);
  if (!data.success) return fail('invalid_data', `${raw.type}@${raw.version}: ${describeIssues(data.error)}`, raw);
  const envelope: Envelope = { ...raw, data: data.data };

  const sagaProblem = checkSagaId(def, envelope);
  if (sagaProblem) return fail('invalid_envelope', sagaProblem, raw);
  const orderProblem = checkOrderSaga(def, envelope);
  if (orderProblem) return fail('saga_mismatch', orderProblem, raw);
  if (options.subject !== undefined) {
    const { subject: expected, hashed } = expectedSubjectOf(def, envelope, options.subject);
    if (!subjectFits(options.subject, expected, hashed, options.partitions)) {
      return fail('subject_mismatch', `${raw.type} arrived on "${options.subject}", expected "${expected}"${options.partitions ? ` (with its partitions among ${options.partitions})` : ''}`, raw);
    }
  }
  return { ok: true, envelope, def };
}

/**
 * The one subject a valid envelope may travel on. An event travels under its producer (an
 * instance, `evt.bank-a.FundsFrozen.<sagaId>`, for a service run once per instance). A command
 * to such a service names the instance in its subject only: given the subject it `arrived` on,
 * any instance of the owner is the expected one (`cmd.bank-a.Deposit`), else `cmd.<owner>-<id>`.
 */
export function expectedSubject(def: MessageDef, envelope: Envelope, arrived?: string): string {
  return expectedSubjectOf(def, envelope, arrived).subject;
}

/** The expected subject, and the tokens the broker's partitions are computed from (an event: saga id and key; a command: key). */
function expectedSubjectOf(def: MessageDef, envelope: Envelope, arrived?: string): { subject: string; hashed: string[] } {
  const key = subjectKey(def, envelope.data);
  if (def.kind === 'event') {
    const sagaId = envelope.sagaId ?? '';
    return { subject: eventSubject(envelope.producer, def.type, sagaId, key), hashed: [sagaId, key] };
  }
  if (!isInstanced(def.owner)) return { subject: commandSubject(def.owner, def.type, key), hashed: [key] };
  const service = arrived?.split('.')[1];
  return { subject: commandSubject(service !== undefined && serviceKindOf(service) === def.owner ? service : `${def.owner}-<id>`, def.type, key), hashed: [key] };
}

/**
 * Whether a message whose subject should be `expected` may have `arrived` on it: that subject,
 * the same without its key token (stored before keys were in subjects), or with the partitions
 * the broker appends (an event: of its saga id and its key; a command: of its key), which
 * must be the right ones when `partitions` is known.
 */
function subjectFits(arrived: string, expected: string, hashed: readonly string[], partitions: number | undefined): boolean {
  if (arrived === expected) return true;
  // ids and keys are tokens (no dots): only the tail after the expected subject needs splitting
  if (!arrived.startsWith(expected) || arrived.charCodeAt(expected.length) !== 46 /* . */) {
    // a subject of the release before keys: the expected one without its key
    return arrived.length < expected.length && arrived === expected.slice(0, expected.lastIndexOf('.'));
  }
  const tail = arrived.slice(expected.length + 1).split('.');
  return tail.length === hashed.length && hashed.every((token, i) => /^\d{1,2}$/.test(tail[i]!) && (partitions === undefined || Number(tail[i]) === partitionOf(token, partitions)));
}

function checkSagaId(def: MessageDef, envelope: Envelope): string | undefined {
  if (def.kind === 'event') {
    if (serviceKindOf(envelope.producer) !== def.owner) {
      const by = isInstanced(def.owner) ? `an instance of "${def.owner}" (${def.owner}-<id>)` : `"${def.owner}"`;
      return `${def.type} is produced by ${by}, not "${envelope.producer}"`;
    }
    return envelope.sagaId === null ? `${def.type} needs a sagaId` : undefined;
  }
  const expected = def.sagaKey ? String((envelope.data as Record<string, unknown>)[def.sagaKey]) : null;
  if (envelope.sagaId !== expected) {
    return `${def.type} needs sagaId ${expected === null ? 'null' : `= data.${def.sagaKey} ("${expected}")`}`;
  }
  return undefined;
}

/**
 * An event belongs to the saga its key names (its sagaKey, e.g. data.transferId), and no other;
 * an event about an order (its data has an orderId) to that order's saga.
 */
function checkOrderSaga(def: MessageDef, envelope: Envelope): string | undefined {
  if (def.kind !== 'event') return undefined;
  if (def.sagaKey) {
    const key = (envelope.data as Record<string, unknown>)[def.sagaKey];
    if (envelope.sagaId === key) return undefined;
    return `${def.type} is about ${def.sagaKey} "${String(key)}" but carries sagaId "${envelope.sagaId}": its events belong to that saga`;
  }
  const orderId = (envelope.data as Record<string, unknown>).orderId;
  if (typeof orderId !== 'string' || envelope.sagaId === orderId) return undefined;
  return `${def.type} is about order "${orderId}" but carries sagaId "${envelope.sagaId}": an order's events belong to its own saga`;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

function fail(reason: InvalidReason, detail: string, envelope?: RawEnvelope): Decoded {
  return envelope ? { ok: false, reason, detail, envelope } : { ok: false, reason, detail };
}
