import { decodeMessage, type Envelope, sagaFilter } from '@jetsaga/events';
import type { NatsConnection } from 'nats';
import { STREAMS } from './provision.js';

export interface StoredEvent {
  envelope: Envelope;
  subject: string;
  streamSeq: number;
  /** When JetStream stored it. */
  storedAt: Date;
  headers: Record<string, string>;
}

/** Every event of a saga in stream order, read from EVENTS (`evt.*.*.<sagaId>`). */
export async function readSagaEvents(nc: NatsConnection, sagaId: string): Promise<StoredEvent[]> {
  const js = nc.jetstream();
  // An ordered consumer wants a string filter on nats 2.29 + server 2.9 (an array hangs).
  const consumer = await js.consumers.get(STREAMS.events, { filterSubjects: sagaFilter(sagaId) });
  let pending = (await consumer.info()).num_pending;
  const events: StoredEvent[] = [];
  while (pending > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(pending, 256), expires: 1000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      pending = m.info.pending;
      const decoded = decodeMessage(m.data);
      if (!decoded.ok) continue;
      const headers: Record<string, string> = {};
      for (const [k, v] of m.headers ?? []) headers[k] = v[0] ?? '';
      events.push({ envelope: decoded.envelope, subject: m.subject, streamSeq: m.seq, storedAt: new Date(m.info.timestampNanos / 1e6), headers });
    }
    if (got === 0) break;
  }
  return events;
}
