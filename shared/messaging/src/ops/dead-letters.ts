import { headers as natsHeaders, type NatsConnection } from 'nats';
import { DLQ_HEADERS } from '../consume/dead-letter.js';
import { STREAMS } from '../nats/provision.js';
import { headerRecord, readStream } from '../nats/read-stream.js';

export interface DeadLetterEntry {
  /** Sequence in the DLQ stream. */
  seq: number;
  subject: string;
  reason: string;
  error: string;
  consumer: string;
  originalSubject: string;
  originalStream: string;
  originalSeq: number;
  deliveries: number;
  at: string;
  /** The original payload, byte for byte, and all headers (the original ones included). */
  data: Uint8Array;
  headers: Record<string, string>;
}

/** The dead letters stored now, oldest first; `filter` narrows (e.g. `dlq.inventory.>`). */
export function listDeadLetters(nc: NatsConnection, filter = 'dlq.>'): Promise<DeadLetterEntry[]> {
  return readStream(nc, STREAMS.dlq, filter, (m) => {
    const h = headerRecord(m);
    return {
      seq: m.seq,
      subject: m.subject,
      reason: h[DLQ_HEADERS.reason] ?? '',
      error: h[DLQ_HEADERS.error] ?? '',
      consumer: h[DLQ_HEADERS.consumer] ?? '',
      originalSubject: h[DLQ_HEADERS.subject] ?? '',
      originalStream: h[DLQ_HEADERS.stream] ?? '',
      originalSeq: Number(h[DLQ_HEADERS.streamSeq] ?? 0),
      deliveries: Number(h[DLQ_HEADERS.deliveries] ?? 0),
      at: h[DLQ_HEADERS.at] ?? '',
      data: m.data,
      headers: h,
    };
  });
}

const dlqHeaderPrefix = 'Jetsaga-Dlq-';

/**
 * Publishes a dead letter's original payload and headers back to its original subject, then
 * removes it from the DLQ once JetStream has acked the publish. The envelope id is unchanged,
 * so every inbox that already handled it drops it; the Nats-Msg-Id is new, so the broker's
 * dedupe window does not.
 */
export async function redriveDeadLetter(nc: NatsConnection, seq: number): Promise<{ subject: string; stream: string; streamSeq: number }> {
  const jsm = await nc.jetstreamManager();
  const stored = await jsm.streams.getMessage(STREAMS.dlq, { seq });
  const subject = stored.header.get(DLQ_HEADERS.subject);
  if (!subject) throw new Error(`DLQ message ${seq} has no ${DLQ_HEADERS.subject} header: not a jetsaga dead letter`);
  const h = natsHeaders();
  for (const [key, values] of stored.header) {
    if (key.startsWith(dlqHeaderPrefix) || key === 'Nats-Msg-Id') continue;
    for (const v of values) h.append(key, v);
  }
  h.set('Nats-Msg-Id', `redrive:${seq}:${stored.header.get(DLQ_HEADERS.streamSeq) ?? ''}`);
  const ack = await nc.jetstream().publish(subject, stored.data, { headers: h });
  await jsm.streams.deleteMessage(STREAMS.dlq, seq, false);
  return { subject, stream: ack.stream, streamSeq: ack.seq };
}

/** Deletes a dead letter for good. */
export async function dropDeadLetter(nc: NatsConnection, seq: number): Promise<void> {
  await (await nc.jetstreamManager()).streams.deleteMessage(STREAMS.dlq, seq, false);
}
