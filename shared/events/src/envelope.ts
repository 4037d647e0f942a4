import { z } from 'zod';
import { printableId, tokenId } from './ids.js';

/**
 * Services that produce events or own a command subject. `bank` runs once per bank, as
 * `bank-a`, `bank-b`, ... (see instances.ts): the contract names the kind, subjects the instance.
 */
export const serviceNames = ['order', 'inventory', 'payment', 'loyalty', 'notification', 'transfer', 'customer', 'bank'] as const;
export type ServiceName = (typeof serviceNames)[number];

/**
 * The one envelope every command and event travels in. `data` is checked separately,
 * against the schema registered for `(type, version)`.
 */
export const envelopeSchema = z.object({
  id: printableId,
  type: z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, 'must be a PascalCase message type'),
  version: z.number().int().positive(),
  sagaId: tokenId.nullable(),
  causationId: printableId.nullable(),
  correlationId: printableId.nullable(),
  occurredAt: z.iso.datetime({ offset: true }),
  producer: printableId,
  data: z.unknown(),
});

export type RawEnvelope = z.infer<typeof envelopeSchema>;

/** An envelope whose `data` has been validated for its `(type, version)`. */
export interface Envelope<T extends string = string, D = unknown> extends Omit<RawEnvelope, 'type' | 'data'> {
  type: T;
  data: D;
}
