import { join, resolve } from 'node:path';
import { DEFAULT_MAX_BYTES, formatPartition, instanceId, type Partition, partitionName, tryParsePartition } from '@jetsaga/events';
import type { Synchronous } from '../sqlite/open-db.js';
import { type NatsAccess, natsSettings } from '../nats/connection-options.js';
import { DEFAULT_STREAM_SETTINGS, type StreamSettings, unlistedInstance } from '../nats/provision.js';
import { KitError } from '../errors.js';
import { type FaultPlan, parseFaults } from '../consume/faults.js';
import { defaultRetryPolicy, type RetryPolicy } from '../consume/retry-policy.js';
import { logLevelSetting } from '../observe/logger.js';
import { otlpEndpointSetting } from '../observe/tracing.js';
import { type Deprecation, defineSettings, type ReadOptions, SettingsError, type SettingsSchema, setting } from '../settings-schema.js';

export { parseByteSize, parseDurationMs } from '../settings-schema.js';

export interface ServiceConfig {
  /**
   * The partition this process runs (JETSAGA_PARTITION `i/N`): it owns the keys of partition i
   * among N, in its own db (`<service>-p<i>.db`) with its own durables (docs/partitions.md).
   */
  partition?: Partition;
  nats: NatsAccess;
  dataDir: string;
  dbPath: string;
  synchronous: Synchronous;
  retry: RetryPolicy;
  ackWaitMs: number;
  maxMessageBytes: number;
  /** Messages buffered per pull consumer. */
  maxMessages: number;
  /** Bytes a pull consumer may hold (0: bounded by messages only): fewer messages per pull when the server's max_payload is large. */
  consumerMaxBytes: number;
  /** What the streams must be (limits, replicas): provisioning compares and updates them. */
  streams: StreamSettings;
  shutdownTimeoutMs: number;
  /** How long inbox rows, sent outbox rows and fired timers are kept (default 7 days). */
  retentionMs: number;
  pruneIntervalMs: number;
  timerPollMs: number;
  faults: FaultPlan;
  /** How long a starting service keeps retrying NATS and JetStream (a broker still starting). */
  startTimeoutMs: number;
  /** Port of `/metrics`, `/healthz`, `/readyz`; off when unset. */
  metricsPort?: number;
  logLevel: string;
  /** OTLP/HTTP endpoint of the span exporter; off when unset. */
  otlpEndpoint?: string;
}

export const DEFAULT_DATA_DIR = '.jetsaga';

/**
 * What a consumer's pull may hold, in bytes: 64 messages of nats-server's default max_payload
 * (1 MiB), 256 (JETSAGA_CONSUMER_MAX_MESSAGES) of 256 KiB. See `messagesPerPull`.
 */
export const DEFAULT_CONSUMER_MAX_BYTES = 64 * 1024 ** 2;

const d = DEFAULT_STREAM_SETTINGS;

/**
 * The streams' limits and replicas. Services and `jetsaga provision` read the same names:
 * give them the same values.
 */
export const streamSettings: SettingsSchema<StreamSettings> = defineSettings(
  {
    eventsMaxAge: setting.duration('JETSAGA_EVENTS_MAX_AGE', {
      default: d.events.maxAgeMs,
      zero: 'forever',
      description:
        'stream `EVENTS` keeps an event this long: how far a consumer may fall behind; keep it longer than `JETSAGA_RETENTION_MS` (see Streams below)',
    }),
    eventsMaxBytes: setting.size('JETSAGA_EVENTS_MAX_BYTES', {
      default: d.events.maxBytes,
      zero: 'no limit',
      description: '... and at most this much, oldest dropped first; nats-server reserves it from its JetStream storage (`max_file_store`)',
    }),
    dlqMaxAge: setting.duration('JETSAGA_DLQ_MAX_AGE', {
      default: d.dlq.maxAgeMs,
      zero: 'forever',
      description: 'stream `DLQ` keeps a dead letter this long: the time to look at it and re-drive or drop it',
    }),
    dlqMaxBytes: setting.size('JETSAGA_DLQ_MAX_BYTES', {
      default: d.dlq.maxBytes,
      zero: 'no limit',
      description: '... and at most this much (also reserved); services and `jetsaga provision` must get the same stream settings',
    }),
    // 3 on a 3-node cluster; JetStream allows at most 5 (odd numbers keep a RAFT quorum).
    replicas: setting.integer('JETSAGA_STREAM_REPLICAS', {
      default: d.replicas,
      min: 1,
      max: 5,
      description: 'replicas of every stream and durable consumer: 3 on a 3-node cluster (`jetsaga up --cluster 3` sets it)',
    }),
    banks: setting.custom(
      'JETSAGA_BANKS',
      {
        type: 'list',
        wants: 'a list of bank ids (1-16 characters of a-z 0-9) like a,b',
        default: d.instances.bank,
        description:
          'the banks: `npm start` runs `bank-<id>` for each (its own db, subjects `cmd.bank-<id>.>`, `evt.bank-<id>.>`), and COMMANDS takes `cmd.bank-<id>.Deposit.>` of each; every process must get the same list',
      },
      parseInstanceIds,
      (ids) => ids.join(','),
    ),
  },
  (v): StreamSettings => ({
    events: { maxAgeMs: v.eventsMaxAge, maxBytes: v.eventsMaxBytes },
    dlq: { maxAgeMs: v.dlqMaxAge, maxBytes: v.dlqMaxBytes },
    replicas: v.replicas,
    instances: { bank: v.banks },
  }),
);

/** `a,b` as instance ids (`a`, `b`), each once; undefined when one is not an id or none is given. */
export function parseInstanceIds(raw: string): readonly string[] | undefined {
  const ids = [...new Set(raw.split(',').map((s) => s.trim()).filter(Boolean))];
  return ids.length > 0 && ids.every((id) => instanceId.safeParse(id).success) ? ids : undefined;
}

/** JETSAGA_EVENTS_MAX_AGE, JETSAGA_EVENTS_MAX_BYTES, JETSAGA_DLQ_MAX_AGE, JETSAGA_DLQ_MAX_BYTES (`30d`, `4GiB`; `0` = no limit), JETSAGA_STREAM_REPLICAS. */
export function streamSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): StreamSettings {
  return streamSettings.parse(env);
}

const ms = 'ms';

/**
 * Every setting the kit reads for `service`, described once. `kitSettings('<service>')` is
 * the form the README's table shows (`JETSAGA_<SERVICE>_DB`).
 */
export function kitSettings(service: string): SettingsSchema<ServiceConfig> {
  // bank-a: JETSAGA_BANK_A_DB
  const SERVICE = service.toUpperCase().replaceAll('-', '_');
  return defineSettings(
    {
      nats: natsSettings,
      partition: setting.custom(
        'JETSAGA_PARTITION',
        {
          type: 'text',
          wants: 'i/N, the partition this process runs (0 <= i < N <= 64), like 0/2',
          defaultDoc: '(one process: no partitions)',
          description:
            'run partition i of N of the service (`jetsaga run <service> --partition i/N`, `JETSAGA_PARTITIONS=N` for the stack): it takes only the keys the broker maps to i (order and notification by order id, payment and loyalty by customer id, inventory by sku), with its own db `<service>-p<i>.db` and durables `<service>-p<i>-<Type>`; the broker needs the mapping for N (docs/partitions.md)',
        },
        tryParsePartition,
        formatPartition,
      ),
      dataDir: setting.text('JETSAGA_DATA_DIR', { type: 'path', default: DEFAULT_DATA_DIR, defaultDoc: '`./.jetsaga`', description: 'SQLite files (`<service>.db`), the local broker\'s store' }),
      dbPath: setting.text(`JETSAGA_${SERVICE}_DB`, {
        type: 'path',
        deprecated: [`${SERVICE}_DB`],
        defaultDoc: '`<data dir>/<service>.db`',
        description: 'one service\'s SQLite file (`JETSAGA_ORDER_DB`, `JETSAGA_INVENTORY_DB`, ...); one process writes it at a time: a second one refuses to start and names the first',
      }),
      logLevel: logLevelSetting,
      synchronous: setting.choice('JETSAGA_SQLITE_SYNCHRONOUS', ['NORMAL', 'FULL', 'OFF'], {
        default: 'NORMAL',
        deprecated: ['SQLITE_SYNCHRONOUS'],
        description:
          '`NORMAL`: WAL, no fsync per commit (a power cut may lose the last commits, never corrupts); `FULL`: every commit on disk before its messages are acked and its events published (payment\'s default: it holds money): the WAL is fsynced off the event loop, one fsync for every commit made meanwhile; `OFF`: no syncs at all (tests only)',
      }),
      maxDeliver: setting.integer('JETSAGA_MAX_DELIVER', { default: defaultRetryPolicy.maxDeliver, min: 1, deprecated: ['MAX_DELIVER'], description: 'deliveries before a failing message is dead-lettered' }),
      ackWaitMs: setting.integer('JETSAGA_ACK_WAIT_MS', { default: 30_000, min: 1000, unit: ms, deprecated: ['ACK_WAIT_MS'], description: 'time a delivery may stay unacked before JetStream redelivers it' }),
      maxMessageBytes: setting.integer('JETSAGA_MAX_MESSAGE_BYTES', { default: DEFAULT_MAX_BYTES, min: 1024, unit: 'bytes', deprecated: ['MAX_MESSAGE_BYTES'], description: 'larger payloads are dead-lettered as `too_large`' }),
      maxMessages: setting.integer('JETSAGA_CONSUMER_MAX_MESSAGES', {
        default: 256,
        min: 1,
        deprecated: ['CONSUMER_MAX_MESSAGES'],
        description: 'messages buffered per pull consumer, and handled at once by it (committed in batches); fewer when `JETSAGA_CONSUMER_MAX_BYTES` says so',
      }),
      consumerMaxBytes: setting.size('JETSAGA_CONSUMER_MAX_BYTES', {
        default: DEFAULT_CONSUMER_MAX_BYTES,
        zero: 'messages only',
        deprecated: ['CONSUMER_MAX_BYTES'],
        description:
          "what one consumer's pull (and the messages it has in hand) may hold: as many messages of the server's `max_payload` as fit (64 with nats-server's default 1 MiB, 256 with 256 KiB), at most `JETSAGA_CONSUMER_MAX_MESSAGES`; below `max_payload` a service refuses to start",
      }),
      streams: streamSettings,
      shutdownTimeoutMs: setting.integer('JETSAGA_SHUTDOWN_TIMEOUT_MS', { default: 10_000, min: 100, unit: ms, deprecated: ['SHUTDOWN_TIMEOUT_MS'], description: 'how long a stopping service tries to flush its outbox' }),
      startTimeoutMs: setting.integer('JETSAGA_START_TIMEOUT_MS', {
        default: 60_000,
        min: 1000,
        unit: ms,
        deprecated: ['START_TIMEOUT_MS'],
        description: 'how long a starting service retries NATS and JetStream (a broker that is still starting) before it gives up',
      }),
      retentionMs: setting.integer('JETSAGA_RETENTION_MS', {
        default: 7 * 24 * 3600_000,
        min: 1,
        unit: ms,
        defaultDoc: '`604800000` (7 days)',
        deprecated: ['RETENTION_MS'],
        description: 'inbox rows, sent outbox rows and fired timers older than this are pruned',
      }),
      pruneIntervalMs: setting.integer('JETSAGA_PRUNE_INTERVAL_MS', { default: 3600_000, min: 100, unit: ms, deprecated: ['PRUNE_INTERVAL_MS'], description: 'how often pruning runs (also once at start)' }),
      timerPollMs: setting.integer('JETSAGA_TIMER_POLL_MS', { default: 1000, min: 10, unit: ms, deprecated: ['TIMER_POLL_MS'], description: 'longest sleep of the timer loop (a newly armed timer due sooner wakes it)' }),
      metricsPort: setting.integer('JETSAGA_METRICS_PORT', {
        min: 0,
        max: 65535,
        deprecated: ['METRICS_PORT'],
        defaultDoc: '(off)',
        description: 'serve `/metrics`, `/healthz` (200 once the process runs), `/readyz` (200 once consumers are bound, while NATS is connected) on this port; `JETSAGA_METRICS_BASE_PORT` gives each service of `npm start` its own',
      }),
      otlpEndpoint: otlpEndpointSetting,
      faults: setting.custom(
        'JETSAGA_FAULTS',
        {
          type: 'list',
          wants: 'a list like OrderCreated:2,PaymentSucceeded:always',
          default: new Map() as FaultPlan,
          defaultDoc: '(none)',
          description: 'fault injection for tests and chaos only: `OrderCreated:2` fails the first 2 deliveries of each OrderCreated, `OrderCreated:always` every one',
        },
        (raw) => parseFaults(raw),
      ),
    },
    (v): ServiceConfig => {
      const dataDir = resolve(v.dataDir);
      const unlisted = unlistedInstance(service, v.streams);
      if (unlisted) throw new KitError('config', unlisted);
      return {
        partition: v.partition,
        // Its own reply subjects: a broker with permissions lets it read only those.
        nats: { ...v.nats, inboxPrefix: `_INBOX_${service}` },
        dataDir,
        dbPath: v.dbPath ?? join(dataDir, `${v.partition ? partitionName(service, v.partition.index) : service}.db`),
        synchronous: v.synchronous,
        retry: { ...defaultRetryPolicy, maxDeliver: v.maxDeliver },
        ackWaitMs: v.ackWaitMs,
        maxMessageBytes: v.maxMessageBytes,
        maxMessages: v.maxMessages,
        consumerMaxBytes: v.consumerMaxBytes,
        streams: v.streams,
        shutdownTimeoutMs: v.shutdownTimeoutMs,
        retentionMs: v.retentionMs,
        pruneIntervalMs: v.pruneIntervalMs,
        timerPollMs: v.timerPollMs,
        faults: v.faults,
        startTimeoutMs: v.startTimeoutMs,
        metricsPort: v.metricsPort,
        logLevel: v.logLevel,
        otlpEndpoint: v.otlpEndpoint,
      };
    },
  );
}

/** A service's kit settings from its environment; every value has a sensible default. Throws a SettingsError (one line) on a bad value. */
export function serviceConfigFromEnv(service: string, env: NodeJS.ProcessEnv = process.env, options?: ReadOptions): ServiceConfig {
  return kitSettings(service).parse(env, options);
}

/** Everything a service process reads from its environment: the kit's settings and its own. */
export interface LoadedSettings {
  config: ServiceConfig;
  settings: unknown;
  /** Former names that were set: warn about each. */
  deprecated: Deprecation[];
}

/** What of a service definition its settings need (define.ts's ServiceDefinition has it). */
export interface SettingsOwner {
  name: string;
  settings: SettingsSchema<unknown>;
  /** Defaults of kit settings for this service, by variable name (payment: `JETSAGA_SQLITE_SYNCHRONOUS: 'FULL'`). */
  settingDefaults?: Readonly<Record<string, string>>;
}

/**
 * All of a service's settings, parsed in one place at start: the kit's (with the service's own
 * defaults, e.g. payment's `FULL`) and the service's. A SettingsError lists every bad value
 * in one line.
 */
export function loadServiceSettings(def: SettingsOwner, env: NodeJS.ProcessEnv = process.env): LoadedSettings {
  const parts = [kitSettings(def.name), def.settings] as const;
  const problems: SettingsError['problems'][number][] = [];
  const results = parts.map((schema) => {
    try {
      return schema.read(env, { defaults: def.settingDefaults });
    } catch (err) {
      if (!(err instanceof SettingsError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  });
  if (problems.length) throw new SettingsError(problems);
  const [kit, own] = results as [{ value: ServiceConfig; deprecated: Deprecation[] }, { value: unknown; deprecated: Deprecation[] }];
  return { config: kit.value, settings: own.value, deprecated: [...kit.deprecated, ...own.deprecated] };
}

/** The warning for a former name that was set. */
export function deprecationMessage(d: Deprecation): string {
  return d.ignored
    ? `${d.old} is deprecated and ignored: ${d.name} is set`
    : `${d.old} is deprecated: set ${d.name} instead (the old name is read until the next release)`;
}
