import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats';
import type { Logger } from './logger.js';
import type { Outcome } from './handle-message.js';

export interface ConsumerLoopOptions {
  stream: string;
  durable: string;
  /** Messages the client buffers per pull (default 256). */
  maxMessages?: number;
  /** Messages handled at once by this consumer (default 1: reactions are synchronous). */
  concurrency?: number;
}

/**
 * Pulls from one durable consumer and hands each message to `handle`, at most `concurrency`
 * at once. `stop()` stops pulling and waits for the messages in hand.
 */
export class ConsumerLoop {
  private messages: ConsumerMessages | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private done: Promise<void> | null = null;
  readonly counts: Record<Outcome, number> = { handled: 0, duplicate: 0, retrying: 0, dead_lettered: 0 };

  constructor(
    private readonly js: JetStreamClient,
    private readonly options: ConsumerLoopOptions,
    private readonly handle: (msg: JsMsg) => Promise<Outcome>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const consumer = await this.js.consumers.get(this.options.stream, this.options.durable);
    this.messages = await consumer.consume({ max_messages: this.options.maxMessages ?? 256 });
    this.done = this.run(this.messages);
  }

  async stop(): Promise<void> {
    this.messages?.stop();
    await this.done;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    const limit = this.options.concurrency ?? 1;
    try {
      for await (const msg of messages) {
        const job = this.handleOne(msg);
        this.inFlight.add(job);
        void job.finally(() => this.inFlight.delete(job));
        if (this.inFlight.size >= limit) await Promise.race(this.inFlight);
      }
    } catch (err) {
      this.log.error({ err, consumer: this.options.durable }, 'consumer loop ended with an error');
    }
  }

  private async handleOne(msg: JsMsg): Promise<void> {
    try {
      this.counts[await this.handle(msg)]++;
    } catch (err) {
      // handleMessage settles every message itself; reaching here is a kit bug. The message
      // is left unacked, so the server redelivers it after ack_wait.
      this.log.error({ err, consumer: this.options.durable, seq: msg.seq }, 'unexpected error handling message');
    }
  }
}
