import { join, resolve } from 'node:path';
import { DEFAULT_MAX_BYTES } from '@jetsaga/events';
import { parseSynchronous, type Synchronous } from '../sqlite/open-db.js';
import { KitError } from '../errors.js';
import { type NatsAccess, natsAccessFromEnv } from '../nats/connection-options.js';
import { DEFAULT_STREAM_SETTINGS, type StreamSettings } from '../nats/provision.js';
import { type FaultPlan, parseFaults } from '../consume/faults.js';
import { defaultRetryPolicy, type RetryPolicy } from '../consume/retry-policy.js';

export interface ServiceConfig {
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
  /** How long a starting service keeps retrying JetStream (a broker still starting). */
  startTimeoutMs: number;
  /** Port of `/metrics`, `/healthz`, `/readyz`; off when unset. */
  metricsPort?: number;
}

export const DEFAULT_DATA_DIR = '.jetsaga';

/** A service's settings from its environment; every value has a sensible default. */
export function serviceConfigFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const dataDir = resolve(env.JETSAGA_DATA_DIR ?? DEFAULT_DATA_DIR);
  return {
    // Its own reply subjects: a broker with permissions lets it read only those.
    nats: { ...natsAccessFromEnv(env), inboxPrefix: `_INBOX_${service}` },
    dataDir,
    dbPath: env[`${service.toUpperCase()}_DB`] ?? join(dataDir, `${service}.db`),
    synchronous: parseSynchronous(env.SQLITE_SYNCHRONOUS),
    retry: { ...defaultRetryPolicy, maxDeliver: int(env, 'MAX_DELIVER', defaultRetryPolicy.maxDeliver, 1) },
    ackWaitMs: int(env, 'ACK_WAIT_MS', 30_000, 1000),
    maxMessageBytes: int(env, 'MAX_MESSAGE_BYTES', DEFAULT_MAX_BYTES, 1024),
    maxMessages: int(env, 'CONSUMER_MAX_MESSAGES', 256, 1),
    consumerMaxBytes: byteSize(env, 'CONSUMER_MAX_BYTES', DEFAULT_CONSUMER_MAX_BYTES),
    streams: streamSettingsFromEnv(env),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100),
    retentionMs: int(env, 'RETENTION_MS', 7 * 24 * 3600_000, 1),
    pruneIntervalMs: int(env, 'PRUNE_INTERVAL_MS', 3600_000, 100),
    timerPollMs: int(env, 'TIMER_POLL_MS', 1000, 10),
    faults: parseFaults(env.JETSAGA_FAULTS),
    startTimeoutMs: int(env, 'START_TIMEOUT_MS', 60_000, 1000),
    metricsPort: env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 0) : undefined,
  };
}

/**
 * What a consumer's pull may hold, in bytes: 64 messages of nats-server's default max_payload
 * (1 MiB), 256 (CONSUMER_MAX_MESSAGES) of 256 KiB. See `messagesPerPull`.
 */
export const DEFAULT_CONSUMER_MAX_BYTES = 64 * 1024 ** 2;

/**
 * The streams' limits: JETSAGA_EVENTS_MAX_AGE, JETSAGA_EVENTS_MAX_BYTES, JETSAGA_DLQ_MAX_AGE,
 * JETSAGA_DLQ_MAX_BYTES (`30d`, `4GiB`; `0` = no limit). Services and `jetsaga provision`
 * read the same names: give them the same values.
 */
export function streamSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): StreamSettings {
  const d = DEFAULT_STREAM_SETTINGS;
  return {
    events: { maxAgeMs: duration(env, 'JETSAGA_EVENTS_MAX_AGE', d.events.maxAgeMs), maxBytes: byteSize(env, 'JETSAGA_EVENTS_MAX_BYTES', d.events.maxBytes) },
    dlq: { maxAgeMs: duration(env, 'JETSAGA_DLQ_MAX_AGE', d.dlq.maxAgeMs), maxBytes: byteSize(env, 'JETSAGA_DLQ_MAX_BYTES', d.dlq.maxBytes) },
    // 3 on a 3-node cluster; JetStream allows at most 5 (odd numbers keep a RAFT quorum).
    replicas: int(env, 'JETSAGA_STREAM_REPLICAS', d.replicas, 1),
  };
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 24 * 3600_000 };
const byteUnits: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4 };

/** `30d`, `12h`, `90m`, `45s`, `500ms` in milliseconds; `0` is 0 (no limit). Undefined when not one. */
export function parseDurationMs(raw: string): number | undefined {
  if (raw.trim() === '0') return 0;
  const m = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/i.exec(raw);
  return m ? Number(m[1]) * durationUnits[m[2]!.toLowerCase()]! : undefined;
}

/** `4GiB`, `512MB`, `1G`, `1048576` in bytes, 1024-based as nats-server reads them. Undefined when not one. */
export function parseByteSize(raw: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = m ? byteUnits[m[2]!.toLowerCase()] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : undefined;
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = parseDurationMs(raw);
  if (value === undefined) throw new KitError('config', `${name} must be a duration like 30d, 12h, 90m or 0 (no limit), not "${raw}"`);
  return value;
}

function byteSize(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = parseByteSize(raw);
  if (value === undefined || !Number.isSafeInteger(value)) throw new KitError('config', `${name} must be a size like 4GiB, 512MiB or 0 (no limit), not "${raw}"`);
  return value;
}

/** An integer setting from the environment, with a default and a lower bound. */
export function intFromEnv(name: string, fallback: number, min: number, env: NodeJS.ProcessEnv = process.env): number {
  return int(env, name, fallback, min);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new KitError('config', `${name} must be an integer >= ${min}, not "${raw}"`);
  return value;
}
