import { decodeMessage, type Envelope, sagaFilter } from '@jetsaga/events';
import type { NatsConnection } from 'nats';
import { STREAMS } from '../nats/provision.js';
import { headerRecord, readStream } from '../nats/read-stream.js';

export interface StoredEvent {
  envelope: Envelope;
  subject: string;
  streamSeq: number;
  /** When JetStream stored it. */
  storedAt: Date;
  headers: Record<string, string>;
}

/** Every valid event of a saga in stream order, read from EVENTS (`evt.*.*.<sagaId>`). */
export function readSagaEvents(nc: NatsConnection, sagaId: string): Promise<StoredEvent[]> {
  return readStream(nc, STREAMS.events, sagaFilter(sagaId), (m) => {
    const decoded = decodeMessage(m.data);
    if (!decoded.ok) return undefined;
    return { envelope: decoded.envelope, subject: m.subject, streamSeq: m.seq, storedAt: new Date(m.info.timestampNanos / 1e6), headers: headerRecord(m) };
  });
}
