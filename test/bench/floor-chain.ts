import { AckPolicy, DeliverPolicy, type NatsConnection, RetentionPolicy, StorageType } from 'nats';
import { percentiles } from './stats.js';

/**
 * The floor: the saga's hops as a raw chain through durable pull consumers on the same broker,
 * one message in flight, no database: the client publishes (with PubAck) to the first hop;
 * each hop consumes, publishes the next (with PubAck) and acks; the client sees the last
 * publish on a subscription, as the bench sees OrderConfirmed. The latency nothing built on
 * this broker can beat. `hops` = the services a saga passes through (core: 4).
 */
export async function floorChain(nc: NatsConnection, opts: { hops: number; sagas: number; bytes: number }): Promise<{ p50: number; p99: number }> {
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const stream = 'BENCH_FLOOR';
  await jsm.streams.delete(stream).catch(() => false);
  await jsm.streams.add({ name: stream, subjects: ['bench.floor.>'], storage: StorageType.File, retention: RetentionPolicy.Limits });
  const subject = (i: number) => `bench.floor.h${i}`;
  const pulls = [];
  for (let i = 0; i < opts.hops; i++) {
    await jsm.consumers.add(stream, { durable_name: `floor-${i}`, filter_subject: subject(i), ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
    const messages = await (await js.consumers.get(stream, `floor-${i}`)).consume({ max_messages: 256 });
    pulls.push(messages);
    void (async () => {
      for await (const m of messages) {
        await js.publish(subject(i + 1), m.data);
        m.ack();
      }
    })();
  }
  const done = nc.subscribe(subject(opts.hops));
  const arrivals = done[Symbol.asyncIterator]();
  const payload = new Uint8Array(opts.bytes).fill(120);
  const latencies: number[] = [];
  for (let n = 0; n < opts.sagas + 50; n++) {
    const started = performance.now();
    await js.publish(subject(0), payload);
    await arrivals.next();
    if (n >= 50) latencies.push(performance.now() - started); // the first 50 warm up
  }
  done.unsubscribe();
  for (const p of pulls) await p.close();
  await jsm.streams.delete(stream);
  const { p50, p99 } = percentiles(latencies);
  return { p50, p99 };
}
