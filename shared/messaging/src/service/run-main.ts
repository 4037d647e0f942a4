import { KitError } from '../errors.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { SettingsError } from '../settings-schema.js';
import { deprecationMessage, type LoadedSettings, loadServiceSettings } from './config.js';
import type { AnyServiceDefinition } from './define.js';
import { type RunningService, startService } from './start-service.js';

/**
 * Entry point for a service process: every setting parsed from the environment first (a bad
 * one is one log line naming it, and exit code 1), start, stop cleanly on SIGINT/SIGTERM, and
 * tell a parent process (the stack runner) over IPC when ready. A service run once per
 * instance passes a function making its definition for the instance the environment names
 * (`() => bankService(instanceIdFromEnv('bank'))`): a missing or bad id is one line as well.
 */
export async function runServiceMain(service: AnyServiceDefinition | (() => AnyServiceDefinition)): Promise<void> {
  let loaded: LoadedSettings;
  let def: AnyServiceDefinition;
  try {
    def = typeof service === 'function' ? service() : service;
  } catch (err) {
    fatal(createLogger('service', 'info'), err, 'invalid settings');
  }
  try {
    loaded = loadServiceSettings(def, process.env);
  } catch (err) {
    // LOG_LEVEL may be the bad one: this line is written whatever it says.
    fatal(createLogger(def.name, 'info'), err, 'invalid settings');
  }
  const { config } = loaded;
  const log = createLogger(def.name, config.logLevel);
  for (const d of loaded.deprecated) log.warn({ setting: d.old, use: d.name }, deprecationMessage(d));
  let running: RunningService;
  try {
    running = await startService(def, config, log, loaded.settings);
  } catch (err) {
    fatal(log, err, 'service failed to start');
  }
  process.send?.({ type: 'ready', service: def.name });
  const onSignal = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping');
    // Whatever hangs (a broker that never comes back), the process does not outlive this.
    setTimeout(() => {
      log.error({ signal }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000);
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // Started by a runner (stack, tests) that went away: stop rather than linger.
  if (process.connected) process.once('disconnect', () => onSignal('SIGTERM'));
}

/**
 * One log line and exit 1. A mistake of the operator (a setting, a db another process holds, a
 * stream that cannot be made as wanted) is said in a sentence, with no stack trace; anything
 * else keeps its stack.
 */
function fatal(log: Logger, err: unknown, what: string): never {
  if (err instanceof SettingsError) log.fatal({ code: err.code, settings: err.problems.map((p) => p.setting).filter(Boolean) }, `${what}: ${err.message}`);
  else if (err instanceof KitError && err.permanent) log.fatal({ code: err.code }, `${what}: ${err.message}`);
  else log.fatal({ err }, what);
  process.exit(1);
}
