import { type CommandType, commandSubject, createEnvelope, type DataOf, type Envelope, isInstanced, latest, serviceKindOf, subjectKey } from '@jetsaga/events';
import type { JetStreamClient, PubAck } from 'nats';
import { headersOf, type Publication } from './jetstream-publisher.js';
import { childTraceparent } from '../observe/trace-context.js';

export interface SendOptions {
  /** Envelope id; a repeat with the same id is dropped (broker window, then inbox). */
  id?: string;
  /** Who sends it (default `cli`). */
  producer?: string;
  /**
   * The instance a command to a service run once per instance goes to (`bank-a`: on
   * `cmd.bank-a.Deposit`); required for those, refused for the others.
   */
  to?: string;
  traceparent?: string;
}

/** Builds, validates and publishes a command to `cmd.<service>.<Type>.<key>`; resolves on PubAck. */
export async function sendCommand<T extends CommandType>(
  js: JetStreamClient,
  type: T,
  data: DataOf<T>,
  options: SendOptions = {},
): Promise<{ envelope: Envelope<T, DataOf<T>>; ack: PubAck }> {
  const { envelope, publication } = commandPublication(type, data, options);
  return { envelope, ack: await publish(js, publication) };
}

/** A command's envelope and what to publish (for a JetStreamPublisher sending many at once). */
export function commandPublication<T extends CommandType>(type: T, data: DataOf<T>, options: SendOptions = {}): { envelope: Envelope<T, DataOf<T>>; publication: Publication } {
  const def = latest(type)!;
  const sagaId = def.sagaKey ? String((data as Record<string, unknown>)[def.sagaKey]) : null;
  const envelope = createEnvelope(type, data, { producer: options.producer ?? 'cli', sagaId, id: options.id });
  const publication = {
    subject: commandSubject(addressee(def.owner, type, options.to), type, subjectKey(def, envelope.data)),
    payload: JSON.stringify(envelope),
    msgId: envelope.id,
    headers: { traceparent: options.traceparent ?? childTraceparent() },
  };
  return { envelope, publication };
}

/** The service (or instance) a command goes to: its owner, or the instance `to` names of an instanced owner. */
function addressee(owner: string, type: string, to: string | undefined): string {
  if (!isInstanced(owner)) {
    if (to !== undefined && to !== owner) throw new Error(`${type} goes to ${owner}, not ${to}`);
    return owner;
  }
  if (to === undefined || serviceKindOf(to) !== owner || to === owner) throw new Error(`${type} goes to an instance of ${owner} (${owner}-<id>): say which with \`to\``);
  return to;
}

/** Publishes an already-built envelope with `Nats-Msg-Id` = its id and a traceparent. */
export function publishEnvelope(js: JetStreamClient, subject: string, envelope: Envelope, traceparent?: string): Promise<PubAck> {
  return publish(js, { subject, payload: JSON.stringify(envelope), msgId: envelope.id, headers: { traceparent: traceparent ?? childTraceparent() } });
}

function publish(js: JetStreamClient, p: Publication): Promise<PubAck> {
  return js.publish(p.subject, p.payload, { msgID: p.msgId, headers: headersOf(p) });
}
