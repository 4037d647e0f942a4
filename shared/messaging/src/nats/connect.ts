import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { KitError } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import { connectionOptions, describeAccess, type NatsAccess } from './connection-options.js';

/** nats.js's `pendingLimit` (not in its types): the outbound bytes that force a write before the turn's. */
const SOCKET_WRITE_LIMIT = 1024 * 1024;

/**
 * Connects with endless reconnects (a broker restart must not end a service) and logs every
 * status change. The first connect is retried for `connectTimeoutMs` before giving up.
 */
export async function connectNats(
  access: NatsAccess,
  name: string,
  log: Logger,
  connectTimeoutMs: number,
  /** Every status change after the first connect (`disconnect`, `reconnect`, ...): readiness follows it. */
  onStatus?: (type: string) => void,
): Promise<NatsConnection> {
  const deadline = Date.now() + connectTimeoutMs;
  const url = describeAccess(access);
  for (;;) {
    try {
      const nc = await connect({
        ...connectionOptions(access),
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        reconnectJitter: 100,
        pingInterval: 5_000,
        maxPingOut: 3,
        // Otherwise every request (each publish awaiting its PubAck) captures a stack trace.
        noAsyncTraces: true,
        // nats.js writes its buffer at once when it passes 32 KiB: a batch's publishes then
        // left in one write and its acks in another. Up to this, a turn's commands go in one.
        pendingLimit: SOCKET_WRITE_LIMIT,
      } as ConnectionOptions);
      watchStatus(nc, log, onStatus);
      return nc;
    } catch (err) {
      if (err instanceof KitError) throw err;
      // A refused identity is not a broker that is still starting.
      if (isAuthError(err)) throw new KitError('config', `NATS at ${url} refused this identity: ${(err as Error).message}`, { cause: err });
      if (Date.now() > deadline) {
        throw new KitError('nats_unreachable', `cannot reach NATS at ${url}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function watchStatus(nc: NatsConnection, log: Logger, onStatus?: (type: string) => void): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'pingTimer') continue;
      onStatus?.(s.type);
      const level = s.type === 'disconnect' || s.type === 'error' ? 'warn' : 'info';
      log[level]({ natsStatus: s.type, data: String(s.data) }, 'nats connection status');
    }
  })();
}

function isAuthError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'AUTHORIZATION_VIOLATION' || code === 'AUTHENTICATION_EXPIRED' || code === 'PERMISSIONS_VIOLATION';
}
