import { createLogger } from '../observe/logger.js';
import { type ServiceConfig, serviceConfigFromEnv } from './config.js';
import type { AnyServiceDefinition } from './define.js';
import { type RunningService, startService } from './start-service.js';

/**
 * Entry point for a service process: config from env, start, stop cleanly on SIGINT/SIGTERM,
 * and tell a parent process (the stack runner) over IPC when ready.
 */
export async function runServiceMain(def: AnyServiceDefinition): Promise<void> {
  const log = createLogger(def.name);
  let running: RunningService;
  let config: ServiceConfig;
  try {
    config = serviceConfigFromEnv(def.name);
    running = await startService(def, config, log);
  } catch (err) {
    log.fatal({ err }, 'service failed to start');
    process.exit(1);
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
