import { ContractError } from './errors.js';
import type { Envelope } from './envelope.js';
import { newId } from './ids.js';
import { type DataOf, latest, type MessageType } from './registry.js';

export interface EnvelopeContext {
  producer: string;
  sagaId: string | null;
  /** The envelope that caused this one; sets causationId and carries correlationId. */
  cause?: Pick<Envelope, 'id' | 'correlationId'> | null;
  id?: string;
  now?: Date;
}

/**
 * Builds an envelope for the newest version of `type`, validating `data` first: a service
 * that emits a malformed event has a bug, and it must fail before anything is written.
 */
export function createEnvelope<T extends MessageType>(type: T, data: DataOf<T>, ctx: EnvelopeContext): Envelope<T, DataOf<T>> {
  const def = latest(type);
  if (!def) throw new ContractError('unknown_type', `unknown message type "${type}"`);
  const parsed = def.data.safeParse(data);
  if (!parsed.success) {
    throw new ContractError('invalid_data', `${type}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const id = ctx.id ?? newId();
  return {
    id,
    type,
    version: def.version,
    sagaId: ctx.sagaId,
    causationId: ctx.cause?.id ?? null,
    correlationId: ctx.cause ? (ctx.cause.correlationId ?? ctx.cause.id) : id,
    occurredAt: (ctx.now ?? new Date()).toISOString(),
    producer: ctx.producer,
    data: parsed.data as DataOf<T>,
  };
}
