import type { NatsConnection } from 'nats';
import { DLQ_HEADERS } from './dead-letter.js';
import { STREAMS } from './provision.js';
import { headerRecord, readStream } from './read-stream.js';

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
