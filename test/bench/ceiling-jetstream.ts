import { AckPolicy, type NatsConnection, RetentionPolicy, StorageType } from 'nats';

/**
 * Ceiling A: the raw JetStream hop on the same server: publish with PubAck (a window of
 * `window` in flight), pull-consume and ack, envelope-sized messages. Messages per second.
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
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < opts.messages; i++) {
    const p = js.publish(`bench.hop.${i % 64}`, payload, { msgID: `hop-${i}` });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= opts.window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await consumed;
  const seconds = (performance.now() - started) / 1000;
  await jsm.streams.delete(stream);
  return opts.messages / seconds;
}
