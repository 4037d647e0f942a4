import { headers as natsHeaders, type JetStreamClient, type JsMsg } from 'nats';
import { dlqSubject } from '@jetsaga/events';

export interface DeadLetterInfo {
  service: string;
  consumer: string;
  /** The message type the consumer handles (not what a bad message claims to be). */
  type: string;
  reason: string;
  error: string;
}

/** Header names of a dead letter; the body is the original payload, byte for byte. */
export const DLQ_HEADERS = {
  reason: 'Jetsaga-Dlq-Reason',
  error: 'Jetsaga-Dlq-Error',
  consumer: 'Jetsaga-Dlq-Consumer',
  subject: 'Jetsaga-Dlq-Subject',
  stream: 'Jetsaga-Dlq-Stream',
  streamSeq: 'Jetsaga-Dlq-Stream-Seq',
  deliveries: 'Jetsaga-Dlq-Deliveries',
  at: 'Jetsaga-Dlq-At',
} as const;

/**
 * Copies the message (data and headers) to `dlq.<service>.<type>` with why it failed, and
 * resolves once JetStream has stored it. The caller terminates the original afterwards.
 */
export async function deadLetter(js: JetStreamClient, msg: JsMsg, info: DeadLetterInfo): Promise<void> {
  const h = natsHeaders();
  for (const [key, values] of msg.headers ?? []) for (const v of values) h.append(key, v);
  h.delete('Nats-Msg-Id');
  h.set(DLQ_HEADERS.reason, info.reason);
  h.set(DLQ_HEADERS.error, info.error.slice(0, 2000).replace(/[\r\n]+/g, ' '));
  h.set(DLQ_HEADERS.consumer, info.consumer);
  h.set(DLQ_HEADERS.subject, msg.subject);
  h.set(DLQ_HEADERS.stream, msg.info.stream);
  h.set(DLQ_HEADERS.streamSeq, String(msg.info.streamSequence));
  h.set(DLQ_HEADERS.deliveries, String(msg.info.redeliveryCount));
  h.set(DLQ_HEADERS.at, new Date().toISOString());
  await js.publish(dlqSubject(info.service, info.type), msg.data, {
    headers: h,
    msgID: `${info.consumer}:${msg.info.stream}:${msg.info.streamSequence}`,
  });
}
