import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs with `service` on every line; `LOG_LEVEL` sets the level (default info). */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
