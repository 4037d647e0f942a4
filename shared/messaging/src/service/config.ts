import { join, resolve } from 'node:path';
import { DEFAULT_MAX_BYTES } from '@jetsaga/events';
import { parseSynchronous, type Synchronous } from '../sqlite/open-db.js';
import { KitError } from '../errors.js';
import { type NatsAccess, natsAccessFromEnv } from '../nats/connection-options.js';
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
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100),
    retentionMs: int(env, 'RETENTION_MS', 7 * 24 * 3600_000, 1),
    pruneIntervalMs: int(env, 'PRUNE_INTERVAL_MS', 3600_000, 100),
    timerPollMs: int(env, 'TIMER_POLL_MS', 1000, 10),
    faults: parseFaults(env.JETSAGA_FAULTS),
    startTimeoutMs: int(env, 'START_TIMEOUT_MS', 60_000, 1000),
    metricsPort: env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 0) : undefined,
  };
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
