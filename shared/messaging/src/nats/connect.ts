import { connect, type NatsConnection } from 'nats';
import { KitError } from '../errors.js';
import type { Logger } from '../observe/logger.js';

/**
 * Connects with endless reconnects (a broker restart must not end a service) and logs every
 * status change. The first connect is retried for `connectTimeoutMs` before giving up.
 */
export async function connectNats(url: string, name: string, log: Logger, connectTimeoutMs = 15_000): Promise<NatsConnection> {
  const deadline = Date.now() + connectTimeoutMs;
  for (;;) {
    try {
      const nc = await connect({
        servers: url,
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        reconnectJitter: 100,
        pingInterval: 5_000,
        maxPingOut: 3,
        // Otherwise every request (each publish awaiting its PubAck) captures a stack trace.
        noAsyncTraces: true,
      });
      watchStatus(nc, log);
      return nc;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new KitError('nats_unreachable', `cannot reach NATS at ${url}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function watchStatus(nc: NatsConnection, log: Logger): void {
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'pingTimer') continue;
      const level = s.type === 'disconnect' || s.type === 'error' ? 'warn' : 'info';
      log[level]({ natsStatus: s.type, data: String(s.data) }, 'nats connection status');
    }
  })();
}
