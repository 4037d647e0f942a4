import type { ConsumerMessages, JetStreamClient, JsMsg } from 'nats';
import type { Outcome } from './handle-delivery.js';
import type { Logger } from '../observe/logger.js';

export interface ConsumerLoopOptions {
  stream: string;
  durable: string;
  /** Messages the client buffers per pull (default 256): see `messagesPerPull` for a byte bound. */
  maxMessages?: number;
  /** Messages handled at once by this consumer (default 1: reactions are synchronous). */
  concurrency?: number;
}

/**
 * Messages a pull (and the loop's hands) may hold so that they are at most `maxBytes`: the
 * server delivers messages of up to its `max_payload`, so `maxBytes / maxPayload`, at most
 * `maxMessages`. `maxBytes` 0: `maxMessages` only.
 *
 * Not nats.js's own `max_bytes`: 2.29 takes either max_messages or max_bytes, and by bytes
 * its consume() re-pulls in a busy loop, delivering nothing, once a message is larger than
 * the byte budget it has left (it never gets back the bytes of a pull that ended by count,
 * so after small messages its pulls shrink to a few KB); its fetch() then waits for
 * `expires` after every batch.
 */
export function messagesPerPull(maxMessages: number, maxBytes: number, maxPayload: number): number {
  if (maxBytes <= 0) return maxMessages;
  return Math.max(1, Math.min(maxMessages, Math.floor(maxBytes / maxPayload)));
}

/**
 * Messages still asked for below which the pull asks for more. nats.js's default, 3/4 of
 * `max_messages`, asks again after every quarter of a batch: at 64 a pull, a pull request
 * (a socket write, and a request for the server to parse) every 16 messages. At a quarter
 * it asks after three quarters, every 48, and the server still has a quarter of the batch
 * to deliver meanwhile.
 */
export function refillThreshold(maxMessages: number): number {
  return Math.max(1, Math.floor(maxMessages / 4));
}

/**
 * How long one pull request lives on the server (nats.js's `expires`; its idle heartbeat is
 * half of it). nats.js finds a pull the server lost without a word (its consumer leader died
 * before the request reached the followers; a reconnect whose consumer info fails retries
 * after this long) only when two heartbeats are missed: 2 to 3 heartbeats, 10 to 15 s here,
 * where nats.js's default (30 s) takes 30 to 45 s, longer than an order's deadline.
 */
export const PULL_EXPIRES_MS = 10_000;

/**
 * The status nats-server (2.7.1+) sends to every pull request of a replicated consumer whose
 * leader changed: the new leader does not serve them. nats.js 2.29 only reports it as a
 * `debug` status and keeps waiting for messages that never come; see `ConsumerLoop.watch`.
 */
export function isLeadershipChange(status: { type: string; data: unknown }): boolean {
  return status.type === 'debug' && typeof status.data === 'string' && /^409 leadership change/i.test(status.data);
}

/**
 * Pulls from one durable consumer and hands each message to `handle`, at most `concurrency`
 * at once. If the pull ends on its own (a broker restart can end it), it is started again,
 * with backoff, until `stop()`; `stop()` stops pulling and waits for the messages in hand.
 */
export class ConsumerLoop {
  private messages: ConsumerMessages | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private done: Promise<void> | null = null;
  private stopping = false;
  /** Times the pull ended by itself and was started again. */
  restarts = 0;
  /** Times the consumer's leader changed under a pull (409 Leadership Change) and it pulled again. */
  leadershipChanges = 0;
  readonly counts: Record<Outcome, number> = { handled: 0, duplicate: 0, retrying: 0, dead_lettered: 0, not_ours: 0 };

  constructor(
    private readonly js: JetStreamClient,
    private readonly options: ConsumerLoopOptions,
    /** `more`: this pull already holds further messages (the batch may wait for them). */
    private readonly handle: (msg: JsMsg, more: boolean) => Promise<Outcome>,
    private readonly log: Logger,
  ) {}

  /** Resolves once the first pull is open (throws if it cannot be opened). */
  async start(): Promise<void> {
    this.stopping = false;
    const first = await this.open();
    this.done = this.keepConsuming(first);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    await this.done;
    await Promise.allSettled([...this.inFlight]);
  }

  private async open(): Promise<ConsumerMessages> {
    const consumer = await this.js.consumers.get(this.options.stream, this.options.durable);
    const maxMessages = this.options.maxMessages ?? 256;
    const messages = await consumer.consume({ max_messages: maxMessages, threshold_messages: refillThreshold(maxMessages), expires: PULL_EXPIRES_MS });
    this.messages = messages;
    void this.watch(messages);
    return messages;
  }

  /**
   * A pull whose requests the server lost (a broker restart) can wait forever: when
   * heartbeats stop coming, or the consumer cannot be found, end it so it is reopened.
   *
   * On a cluster, a consumer whose leader dies or steps down gets a new leader that answers
   * each pull request it knows of with `409 Leadership Change` and serves none of them. Then
   * pull again at once (nats.js's own recovery after missed heartbeats or a reconnect: check
   * the consumer, forget what was asked, ask for a full batch on the same inbox), as the Go,
   * Java and .NET clients do; left alone, nats.js 2.29 waits for two missed heartbeats.
   */
  private async watch(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const s of await messages.status()) {
        if (isLeadershipChange(s) && !this.stopping) {
          this.leadershipChanges++;
          this.log.info({ consumer: this.options.durable }, 'consumer leader changed; pulling again');
          this.repull(messages);
          continue;
        }
        const count = Number(s.data);
        const stalled = (s.type === 'heartbeats_missed' && count >= 2) || ((s.type === 'consumer_not_found' || s.type === 'stream_not_found') && count >= 3);
        if (!stalled || this.stopping) continue;
        this.log.warn({ consumer: this.options.durable, status: s.type, count }, 'pull looks stalled; reopening it');
        messages.stop();
        return;
      }
    } catch (err) {
      this.log.warn({ err, consumer: this.options.durable }, 'pull status watch ended');
    }
  }

  /** Asks for a fresh batch on the same pull (nats.js `resetPending`); reopens the pull if this nats.js has none. */
  private repull(messages: ConsumerMessages): void {
    const reset = (messages as ConsumerMessages & { resetPending?: () => Promise<boolean> }).resetPending;
    if (typeof reset !== 'function') {
      messages.stop();
      return;
    }
    reset.call(messages).catch((err: unknown) => {
      this.log.warn({ err, consumer: this.options.durable }, 'pulling again failed; reopening the pull');
      messages.stop();
    });
  }

  private async keepConsuming(first: ConsumerMessages): Promise<void> {
    let messages: ConsumerMessages | null = first;
    let backoff = 100;
    while (!this.stopping) {
      if (messages) {
        await this.drain(messages);
        if (this.stopping) return;
        this.restarts++;
        this.log.warn({ consumer: this.options.durable }, 'pull ended by itself; starting it again');
      }
      try {
        messages = await this.open();
        backoff = 100;
      } catch (err) {
        messages = null;
        this.log.warn({ err, consumer: this.options.durable, retryInMs: backoff }, 'cannot open the pull; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async drain(messages: ConsumerMessages): Promise<void> {
    const limit = this.options.concurrency ?? 1;
    try {
      for await (const msg of messages) {
        // Counts the message in hand too.
        const job = this.handleOne(msg, messages.getPending() > 1);
        this.inFlight.add(job);
        void job.finally(() => this.inFlight.delete(job));
        if (this.inFlight.size >= limit) await Promise.race(this.inFlight);
      }
    } catch (err) {
      this.log.error({ err, consumer: this.options.durable }, 'pull ended with an error');
    }
  }

  private async handleOne(msg: JsMsg, more: boolean): Promise<void> {
    try {
      this.counts[await this.handle(msg, more)]++;
    } catch (err) {
      // handleMessage settles every message itself; reaching here is a kit bug. The message
      // is left unacked, so the server redelivers it after ack_wait.
      this.log.error({ err, consumer: this.options.durable, seq: msg.seq }, 'unexpected error handling message');
    }
  }
}
