import { pino, type Logger } from 'pino';
import { setting } from '../settings-schema.js';

export type { Logger };

/** JSON logs with `service` on every line; `LOG_LEVEL` sets the level (default info). */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}

export const logLevelSetting = setting.choice('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], {
  default: 'info',
  defaultDoc: '`info` (`warn` in the demo)',
  description: 'pino level; logs are JSON, prettified in a terminal',
});
