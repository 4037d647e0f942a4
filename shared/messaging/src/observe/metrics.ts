import { type EventDraft, latest } from '@jetsaga/events';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

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

  constructor(service: string, outbox: { backlog(): number; oldestUnsentMs(): number | undefined }) {
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
  }

  /** Emitted events by type, and those that report a failed step as saga failures. */
  countEmitted(drafts: readonly EventDraft[]): void {
    for (const d of drafts) {
      this.emitted.inc({ type: d.type });
      if (latest(d.type)?.failure) this.sagaFailed.inc({ step: d.type });
    }
  }
}
