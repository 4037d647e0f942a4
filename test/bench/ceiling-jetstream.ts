import { AckPolicy, type NatsConnection, RetentionPolicy, StorageType } from 'nats';
import { JetStreamPublisher } from '@jetsaga/messaging/ops';

/**
 * Ceiling A: the raw JetStream hop on the same server: publish with PubAck (batches of
 * `window` in flight, with the relay's publisher), pull-consume and ack, envelope-sized
 * messages. Messages per second.
 */
export async function jetstreamHopCeiling(nc: NatsConnection, opts: { messages: number; bytes: number; window: number }): Promise<number> {
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const stream = 'BENCH_HOP';
  await jsm.streams.delete(stream).catch(() => false);
  await jsm.streams.add({ name: stream, subjects: ['bench.hop.>'], storage: StorageType.File, retention: RetentionPolicy.Limits });
  await jsm.consumers.add(stream, { durable_name: 'hop', ack_policy: AckPolicy.Explicit });
  const payload = new Uint8Array(opts.bytes).fill(120);
  const consumer = await js.consumers.get(stream, 'hop');
  const started = performance.now();
  let received = 0;
  const consumed = (async () => {
    const messages = await consumer.consume({ max_messages: 512 });
    for await (const m of messages) {
      m.ack();
      if (++received >= opts.messages) break;
    }
  })();
  const publisher = new JetStreamPublisher(nc);
  for (let i = 0; i < opts.messages; i += opts.window) {
    const batch = Array.from({ length: Math.min(opts.window, opts.messages - i) }, (_, j) => ({ subject: `bench.hop.${(i + j) % 64}`, payload, msgId: `hop-${i + j}` }));
    const failed = (await publisher.publishAll(batch, 5000)).find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
  publisher.close();
  await consumed;
  const seconds = (performance.now() - started) / 1000;
  await jsm.streams.delete(stream);
  return opts.messages / seconds;
}
