import { type JetStreamManager, millis } from 'nats';
import type { Logger } from '../observe/logger.js';
import type { BrokerUsage } from '../observe/metrics.js';
import { STREAMS } from './provision.js';

export interface BrokerUsageSource {
  streams: readonly string[];
  consumers: readonly { stream: string; durable: string }[];
  /** A read older than this is made again (gauges of one scrape share one read). */
  ttlMs?: number;
  /** A scrape does not wait longer for the broker; the series are then left out. */
  timeoutMs?: number;
}

/**
 * Reads stream info of `streams` and consumer info of `consumers` for the metrics: at most
 * once per `ttlMs` (default 1 s), and never longer than `timeoutMs` (default 2 s): a broker
 * that does not answer leaves the series out rather than holding the scrape.
 */
export function brokerUsageReader(jsm: JetStreamManager, source: BrokerUsageSource, log: Logger): () => Promise<BrokerUsage | undefined> {
  const ttlMs = source.ttlMs ?? 1000;
  const timeoutMs = source.timeoutMs ?? 2000;
  let last: { at: number; usage: Promise<BrokerUsage | undefined> } | null = null;
  const read = async (): Promise<BrokerUsage> => {
    const [streams, consumers] = await Promise.all([
      Promise.all(
        source.streams.map(async (name) => {
          const { config, state } = await jsm.streams.info(name);
          return {
            stream: name,
            bytes: state.bytes,
            messages: state.messages,
            maxBytes: config.max_bytes,
            maxMessages: config.max_msgs,
            maxAgeSeconds: millis(config.max_age) / 1000,
          };
        }),
      ),
      Promise.all(
        source.consumers.map(async ({ stream, durable }) => {
          const info = await jsm.consumers.info(stream, durable);
          return { consumer: durable, pending: info.num_pending, ackPending: info.num_ack_pending };
        }),
      ),
    ]);
    return { streams, consumers };
  };
  return () => {
    const now = Date.now();
    if (last && now - last.at < ttlMs) return last.usage;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    });
    const usage = Promise.race([read(), timeout])
      .catch((err: unknown) => {
        log.debug({ err }, 'cannot read stream and consumer info for the metrics');
        return undefined;
      })
      .finally(() => clearTimeout(timer));
    last = { at: now, usage };
    return usage;
  };
}

/** The dead letters a service's consumers left (`dlq.<service>.<Type>`), in all and by type. */
export async function deadLetterCounts(jsm: JetStreamManager, service: string): Promise<{ count: number; byType: Record<string, number> }> {
  const dlq = await jsm.streams.info(STREAMS.dlq, { subjects_filter: `dlq.${service}.>` });
  const byType: Record<string, number> = {};
  for (const [subject, n] of Object.entries(dlq.state.subjects ?? {})) byType[subject.split('.')[2] ?? subject] = n;
  return { count: Object.values(byType).reduce((a, b) => a + b, 0), byType };
}
