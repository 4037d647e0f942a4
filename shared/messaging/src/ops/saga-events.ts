import { decodeMessage, type Envelope, legacySagaFilter, sagaFilter } from '@jetsaga/events';
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

/**
 * Every valid event of a saga in stream order, read from EVENTS (`evt.*.*.<sagaId>.>`, and
 * `evt.*.*.<sagaId>` for those stored before subjects carried a key).
 */
export async function readSagaEvents(nc: NatsConnection, sagaId: string): Promise<StoredEvent[]> {
  const read = (filter: string) =>
    readStream(nc, STREAMS.events, filter, (m): StoredEvent | undefined => {
      const decoded = decodeMessage(m.data);
      if (!decoded.ok) return undefined;
      return { envelope: decoded.envelope, subject: m.subject, streamSeq: m.seq, storedAt: new Date(m.info.timestampNanos / 1e6), headers: headerRecord(m) };
    });
  const [current, legacy] = await Promise.all([read(sagaFilter(sagaId)), read(legacySagaFilter(sagaId))]);
  return legacy.length === 0 ? current : [...legacy, ...current].sort((a, b) => a.streamSeq - b.streamSeq);
}
