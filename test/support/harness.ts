import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers as natsHeaders, type JetStreamClient, type JetStreamManager, type NatsConnection, type PubAck } from 'nats';
import { type CommandType, type DataOf, type Envelope, eventSubject, latest, subjectKey } from '@jetsaga/events';
import { connectionOptions, type DeadLetterEntry, listDeadLetters, readSagaEvents, sendCommand, type SendOptions, STREAMS, type StoredEvent } from '@jetsaga/messaging/ops';
import { orderSagaServices, Stack, waitFor, type WaitOptions } from '@jetsaga/stack';

export { waitFor };

/** The services of the order saga proper; loyalty and notification add events to a saga. */
export const coreServices = ['order', 'inventory', 'payment'] as const;

/** The order states a saga ends in, as SQL (`status IN ${terminalOrderStates}`). */
export const terminalOrderStates = "('CONFIRMED', 'CANCELLED', 'REFUNDED')";

/** The subject a producer publishes an event of `type` with `data` on (its key token from the data). */
export function subjectOfEvent(producer: string, type: string, sagaId: string, data: unknown): string {
  const def = latest(type);
  return eventSubject(producer, type, sagaId, def ? subjectKey(def, data) : '_');
}

/** The transfer saga across two banks. */
export const transferServices = ['transfer', 'bank-a', 'bank-b'] as const;

/** Registration and its welcome: points and a notice. */
export const registrationServices = ['customer', 'loyalty', 'notification'] as const;

export interface TestStackOptions {
  /** Default: the order saga's five services (orderSagaServices). */
  services?: readonly string[];
  /** A JetStream cluster of this many nodes instead of one server (ignored with NATS_URL). */
  cluster?: number;
  env?: NodeJS.ProcessEnv;
  serviceEnv?: Record<string, NodeJS.ProcessEnv>;
  /** Use this data dir (kept at stop) instead of a new temp one: a second stack on the first one's files and broker store. */
  dataDir?: string;
  /** Run each service that can split as this many partitions (default JETSAGA_PARTITIONS, else 1). */
  partitions?: number;
  /** Print every service log line (also on when JETSAGA_TEST_LOGS=1). */
  logs?: boolean;
}

/**
 * A real nats-server (its own, on a free port with a temp store, or `NATS_URL`) and real
 * service processes with temp SQLite files, plus the helpers every integration test needs.
 */
/** A service log line, parsed (pino JSON). */
export type LogLine = Record<string, unknown> & { level: number; msg: string; time: string; service: string };

export class TestStack {
  private readonly dbs = new Map<string, Database.Database>();

  private constructor(
    readonly logs: LogLine[],
    readonly stack: Stack,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    private readonly ownsDataDir: boolean,
  ) {}

  static async start(options: TestStackOptions = {}): Promise<TestStack> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'jetsaga-test-'));
    const natsUrl = process.env.NATS_URL;
    if (natsUrl) await resetStreams(natsUrl);
    const showLogs = options.logs || process.env.JETSAGA_TEST_LOGS === '1';
    const logs: LogLine[] = [];
    const stack = await Stack.start({
      dataDir,
      natsUrl,
      cluster: options.cluster,
      partitions: options.partitions,
      services: options.services ?? orderSagaServices,
      env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...options.env },
      serviceEnv: options.serviceEnv,
      onLine: (service, line) => {
        if (showLogs) console.error(`[${service}] ${line}`);
        try {
          logs.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line (a crash trace, a warning from node): shown with JETSAGA_TEST_LOGS=1
        }
      },
    });
    // The admin: tests provoke what no service may (forged events, stream reads, resets).
    const nc = await connect({ ...connectionOptions(stack.access('admin')), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    return new TestStack(logs, stack, nc, nc.jetstream(), await nc.jetstreamManager(), options.dataDir === undefined);
  }

  /** The log lines of `service` with message `msg` (what a test reads to see retries). */
  logsOf(service: string, msg: string): LogLine[] {
    return this.logs.filter((l) => l.service === service && l.msg === msg);
  }

  /** Publishes raw bytes, as a buggy or hostile client would; JetStream-acked. */
  publishRaw(subject: string, payload: string | Uint8Array, msgId?: string): Promise<PubAck> {
    const h = natsHeaders();
    if (msgId) h.set('Nats-Msg-Id', msgId);
    return this.js.publish(subject, payload, { headers: h });
  }

  deadLetters(filter?: string): Promise<DeadLetterEntry[]> {
    return listDeadLetters(this.nc, filter);
  }

  /** The nats-server this stack started (null with NATS_URL): kill and start it for broker restarts. */
  get natsServer() {
    return this.stack.nats;
  }

  /** The cluster this stack started (`cluster` > 1), else null: kill and start its nodes. */
  get natsCluster() {
    return this.stack.cluster;
  }

  /** Publishes a command as the CLI would; resolves on PubAck. */
  async send<T extends CommandType>(type: T, data: DataOf<T>, options?: SendOptions): Promise<Envelope<T, DataOf<T>>> {
    return (await sendCommand(this.js, type, data, options)).envelope;
  }

  async sagaEvents(sagaId: string): Promise<StoredEvent[]> {
    return readSagaEvents(this.nc, sagaId);
  }

  async sagaTypes(sagaId: string): Promise<string[]> {
    return (await this.sagaEvents(sagaId)).map((e) => e.envelope.type);
  }

  /** Waits until the saga has at least `count` events and returns them in stream order. */
  async waitForSagaEvents(sagaId: string, count: number, options: WaitOptions = {}): Promise<StoredEvent[]> {
    return waitFor(
      async () => {
        const events = await this.sagaEvents(sagaId);
        return events.length >= count ? events : undefined;
      },
      { timeoutMs: 15_000, what: `${count} events of saga ${sagaId}`, ...options },
    );
  }

  /**
   * Waits until nothing is in flight: every durable consumer has delivered and seen acked
   * every message, every outbox is empty, no timer is due, and nothing moved between two
   * probes 100 ms apart (a relay can publish between reading consumers and reading outboxes).
   */
  async waitForQuiescence(options: WaitOptions = {}): Promise<void> {
    let last: string[] = [];
    let previous = '';
    try {
      await waitFor(
        async () => {
          last = await this.busyReasons();
          const mark = await this.progressMark();
          const quiet = last.length === 0 && mark === previous;
          previous = last.length === 0 ? mark : '';
          if (!quiet && last.length === 0) await new Promise((r) => setTimeout(r, 100));
          return quiet;
        },
        { timeoutMs: 20_000, what: 'quiescence', ...options },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; still busy: ${last.join('; ')}`);
    }
  }

  /** Stream positions and consumer ack floors: equal twice means nothing moved in between. */
  private async progressMark(): Promise<string> {
    const parts: string[] = [];
    for (const stream of [STREAMS.events, STREAMS.commands]) {
      parts.push(`${stream}:${(await this.jsm.streams.info(stream)).state.last_seq}`);
      for await (const c of this.jsm.consumers.list(stream)) {
        if (c.config.durable_name) parts.push(`${c.name}:${c.ack_floor.stream_seq}`);
      }
    }
    return parts.join(',');
  }

  /**
   * Consumers whose only unacked deliveries are of messages no longer in their work-queue
   * stream: nats-server 2.9 can leave such a consumer/stream mismatch behind after being
   * SIGKILLed (the removal on ack persisted, the ack did not). Nothing can redeliver them,
   * so they are not work in flight; the chaos report lists them apart.
   */
  readonly phantomAcks = new Map<string, number>();

  private async onlyPhantomAcks(stream: string, c: { config: { filter_subject?: string }; ack_floor: { stream_seq: number }; delivered: { stream_seq: number } }): Promise<boolean> {
    try {
      // next_by_subj works on nats-server 2.9 (STREAM.MSG.GET); the 2.29 client's type omits it.
      const request = { next_by_subj: c.config.filter_subject ?? '>', seq: c.ack_floor.stream_seq + 1 };
      const next = await this.jsm.streams.getMessage(stream, request as never);
      return next.seq > c.delivered.stream_seq;
    } catch {
      return true; // no message at or after the ack floor
    }
  }

  async busyReasons(): Promise<string[]> {
    const reasons: string[] = [];
    for (const stream of [STREAMS.events, STREAMS.commands]) {
      for await (const c of this.jsm.consumers.list(stream)) {
        if (!c.config.durable_name) continue; // ordered readers (trace, tests) are not work
        if (c.num_pending === 0 && c.num_ack_pending > 0 && stream === STREAMS.commands && (await this.onlyPhantomAcks(stream, c))) {
          this.phantomAcks.set(c.name, c.num_ack_pending);
          continue;
        }
        if (c.num_pending > 0 || c.num_ack_pending > 0) reasons.push(`${c.name}: ${c.num_pending} pending, ${c.num_ack_pending} unacked`);
      }
    }
    for (const service of this.stack.services.keys()) {
      const unsent = this.count(service, 'SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
      if (unsent > 0) reasons.push(`${service}: ${unsent} unsent outbox rows`);
      const due = this.count(service, 'SELECT count(*) AS n FROM timers WHERE fired_at IS NULL AND due_at <= ?', Date.now());
      if (due > 0) reasons.push(`${service}: ${due} timers due`);
    }
    if (this.stack.processes.has('notification')) {
      const pending = this.count('notification', "SELECT count(*) AS n FROM notifications WHERE status = 'PENDING'");
      if (pending > 0) reasons.push(`notification: ${pending} pending notifications`);
    }
    return reasons;
  }

  /** A read-only handle on the SQLite file of one process (`order`, or a partition's: `order-p1`); WAL: reads see committed work. */
  db(process: string): Database.Database {
    let db = this.dbs.get(process);
    if (!db) {
      db = new Database(this.stack.dbPath(process), { readonly: true, fileMustExist: true });
      this.dbs.set(process, db);
    }
    return db;
  }

  /** Rows of a service: of every partition's db when it runs partitioned (or of one process by its name). */
  rows<T = Record<string, unknown>>(service: string, sql: string, ...params: unknown[]): T[] {
    return this.stack.processNamesOf(service).flatMap((p) => this.db(p).prepare(sql).all(...params) as T[]);
  }

  /** `n` of a query, summed over every partition's db of the service. */
  count(service: string, sql: string, ...params: unknown[]): number {
    return this.stack.processNamesOf(service).reduce((sum, p) => sum + (this.db(p).prepare(sql).get(...params) as { n: number }).n, 0);
  }

  /** The services of the stack (not their partitions' process names). */
  get serviceNames(): string[] {
    return [...this.stack.processes.keys()];
  }

  async stop(): Promise<void> {
    for (const db of this.dbs.values()) db.close();
    this.dbs.clear();
    await this.nc.close().catch(() => {});
    await this.stack.stop();
    if (this.ownsDataDir && process.env.JETSAGA_KEEP_TEST_DATA !== '1') rmSync(this.stack.dataDir, { recursive: true, force: true });
  }
}

/** On a shared server (NATS_URL), each test stack starts from empty jetsaga streams. */
async function resetStreams(url: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    for (const name of Object.values(STREAMS)) await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}
