import { type CommandType, commandSubject, createEnvelope, type DataOf, type Envelope, latest } from '@jetsaga/events';
import { headers as natsHeaders, type JetStreamClient, type PubAck } from 'nats';
import { childTraceparent } from './trace-context.js';

export interface SendOptions {
  /** Envelope id; a repeat with the same id is dropped (broker window, then inbox). */
  id?: string;
  /** Who sends it (default `cli`). */
  producer?: string;
  traceparent?: string;
}

/** Builds, validates and publishes a command to `cmd.<service>.<Type>`; resolves on PubAck. */
export async function sendCommand<T extends CommandType>(
  js: JetStreamClient,
  type: T,
  data: DataOf<T>,
  options: SendOptions = {},
): Promise<{ envelope: Envelope<T, DataOf<T>>; ack: PubAck }> {
  const def = latest(type)!;
  const sagaId = def.sagaKey ? String((data as Record<string, unknown>)[def.sagaKey]) : null;
  const envelope = createEnvelope(type, data, { producer: options.producer ?? 'cli', sagaId, id: options.id });
  const ack = await publishEnvelope(js, commandSubject(def.owner, type), envelope, options.traceparent);
  return { envelope, ack };
}

/** Publishes an already-built envelope with `Nats-Msg-Id` = its id and a traceparent. */
export function publishEnvelope(js: JetStreamClient, subject: string, envelope: Envelope, traceparent?: string): Promise<PubAck> {
  const h = natsHeaders();
  h.set('traceparent', traceparent ?? childTraceparent());
  return js.publish(subject, JSON.stringify(envelope), { msgID: envelope.id, headers: h });
}
