import { type EventDraft, latest } from '@jetsaga/events';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The broker's view, read from stream and consumer info when metrics are scraped. */
export interface BrokerUsage {
  /** Limits as configured: -1 (bytes, messages) or 0 (age) is no limit. */
  streams: { stream: string; bytes: number; messages: number; maxBytes: number; maxMessages: number; maxAgeSeconds: number }[];
  /** pending: stored, not yet delivered; ackPending: delivered, not yet acked. */
  consumers: { consumer: string; pending: number; ackPending: number }[];
}

/**
 * The kit's Prometheus metrics for one service process. Labels are service / type / step /
 * outcome / reason only: never a saga or order id (unbounded cardinality).
 */
export class KitMetrics {
  readonly registry = new Registry();
  readonly messages: Counter<'type' | 'outcome'>;
  readonly handlerSeconds: Histogram<'type'>;
  readonly sagaFailed: Counter<'step'>;
  readonly emitted: Counter<'type'>;
  readonly deadLetters: Counter<'type' | 'reason'>;
  readonly retries: Counter<'type'>;
  readonly publishLag: Histogram;
  readonly timersFired: Counter<'kind'>;
  readonly batchMessages: Histogram;

  /**
   * `broker` (when given) is read once per scrape, gauges collected in parallel sharing it;
   * when it cannot be read (undefined), the stream and consumer series are left out.
   */
  constructor(
    service: string,
    outbox: { backlog(): number; oldestUnsentMs(): number | undefined },
    broker?: () => Promise<BrokerUsage | undefined>,
  ) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.messages = new Counter({ name: 'jetsaga_messages_total', help: 'Messages handled, by type and outcome', labelNames: ['type', 'outcome'], registers });
    this.handlerSeconds = new Histogram({
      name: 'jetsaga_handler_duration_seconds',
      help: 'Time from delivery to commit of a handled message',
      labelNames: ['type'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.sagaFailed = new Counter({ name: 'jetsaga_saga_failed_total', help: 'Saga steps that failed or were refused, by the failure event emitted', labelNames: ['step'], registers });
    this.emitted = new Counter({ name: 'jetsaga_sagas_total', help: 'Events emitted, by type (OrderCreated = sagas started, ...)', labelNames: ['type'], registers });
    this.deadLetters = new Counter({ name: 'jetsaga_dead_letters_total', help: 'Messages dead-lettered, by type and reason', labelNames: ['type', 'reason'], registers });
    this.retries = new Counter({ name: 'jetsaga_retries_total', help: 'Failed handlings nak-ed for a retry', labelNames: ['type'], registers });
    this.publishLag = new Histogram({
      name: 'jetsaga_outbox_publish_lag_seconds',
      help: 'Time from the commit of an outbox row to its PubAck',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    });
    this.batchMessages = new Histogram({
      name: 'jetsaga_batch_messages',
      help: 'Messages committed together in one SQLite transaction',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.timersFired = new Counter({ name: 'jetsaga_timers_fired_total', help: 'Durable timers fired, by kind', labelNames: ['kind'], registers });
    new Gauge({ name: 'jetsaga_outbox_backlog', help: 'Outbox rows not yet published', registers, collect() { this.set(outbox.backlog()); } });
    new Gauge({
      name: 'jetsaga_outbox_oldest_unsent_seconds',
      help: 'Age of the oldest unsent outbox row (0 when none)',
      registers,
      collect() {
        this.set((outbox.oldestUnsentMs() ?? 0) / 1000);
      },
    });
    if (broker) registerBrokerGauges(registers, broker);
  }

  /** Emitted events by type, and those that report a failed step as saga failures. */
  countEmitted(drafts: readonly EventDraft[]): void {
    for (const d of drafts) {
      this.emitted.inc({ type: d.type });
      if (latest(d.type)?.failure) this.sagaFailed.inc({ step: d.type });
    }
  }
}

/** Stream usage and limits (EVENTS, COMMANDS, DLQ) and this service's consumers' backlog. */
function registerBrokerGauges(registers: Registry[], broker: () => Promise<BrokerUsage | undefined>): void {
  const streamGauge = (name: string, help: string, value: (s: BrokerUsage['streams'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream'],
      registers,
      async collect() {
        const usage = await broker();
        this.reset();
        for (const s of usage?.streams ?? []) this.set({ stream: s.stream }, value(s));
      },
    });
  const consumerGauge = (name: string, help: string, value: (c: BrokerUsage['consumers'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['consumer'],
      registers,
      async collect() {
        const usage = await broker();
        this.reset();
        for (const c of usage?.consumers ?? []) this.set({ consumer: c.consumer }, value(c));
      },
    });
  streamGauge('jetsaga_stream_bytes', 'Bytes stored in the stream', (s) => s.bytes);
  streamGauge('jetsaga_stream_messages', 'Messages stored in the stream', (s) => s.messages);
  streamGauge('jetsaga_stream_max_bytes', 'The stream max_bytes (-1: no limit)', (s) => s.maxBytes);
  streamGauge('jetsaga_stream_max_messages', 'The stream max_msgs (-1: no limit)', (s) => s.maxMessages);
  streamGauge('jetsaga_stream_max_age_seconds', 'The stream max_age (0: no limit)', (s) => s.maxAgeSeconds);
  consumerGauge('jetsaga_consumer_pending_messages', 'Messages stored for this durable consumer and not yet delivered (its lag)', (c) => c.pending);
  consumerGauge('jetsaga_consumer_ack_pending_messages', 'Messages delivered to this durable consumer and not yet acked', (c) => c.ackPending);
}

/** The names of every metric the kit exports (with broker usage), for checks of dashboards and alert rules. */
export async function kitMetricNames(): Promise<string[]> {
  const m = new KitMetrics('names', { backlog: () => 0, oldestUnsentMs: () => undefined }, async () => undefined);
  return (await m.registry.getMetricsAsJSON()).map((x) => x.name);
}
