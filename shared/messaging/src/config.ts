import { join, resolve } from 'node:path';
import { DEFAULT_MAX_BYTES } from '@jetsaga/events';
import { parseSynchronous, type Synchronous } from './db.js';
import { KitError } from './errors.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry-policy.js';

export interface ServiceConfig {
  natsUrl: string;
  dataDir: string;
  dbPath: string;
  synchronous: Synchronous;
  retry: RetryPolicy;
  ackWaitMs: number;
  maxMessageBytes: number;
  /** Messages buffered per pull consumer. */
  maxMessages: number;
  shutdownTimeoutMs: number;
}

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_DATA_DIR = '.jetsaga';

/** A service's settings from its environment; every value has a sensible default. */
export function serviceConfigFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const dataDir = resolve(env.JETSAGA_DATA_DIR ?? DEFAULT_DATA_DIR);
  return {
    natsUrl: env.NATS_URL ?? DEFAULT_NATS_URL,
    dataDir,
    dbPath: env[`${service.toUpperCase()}_DB`] ?? join(dataDir, `${service}.db`),
    synchronous: parseSynchronous(env.SQLITE_SYNCHRONOUS),
    retry: { ...defaultRetryPolicy, maxDeliver: int(env, 'MAX_DELIVER', defaultRetryPolicy.maxDeliver, 1) },
    ackWaitMs: int(env, 'ACK_WAIT_MS', 30_000, 1000),
    maxMessageBytes: int(env, 'MAX_MESSAGE_BYTES', DEFAULT_MAX_BYTES, 1024),
    maxMessages: int(env, 'CONSUMER_MAX_MESSAGES', 256, 1),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 100),
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new KitError('config', `${name} must be an integer >= ${min}, not "${raw}"`);
  return value;
}
