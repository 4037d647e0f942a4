import { rmSync, writeFileSync } from 'node:fs';
import { prettyFactory } from 'pino-pretty';
import { NatsServerNotFound, Stack } from '@jetsaga/stack';
import { dataDirOf, type GlobalOptions, natsUrlFile } from './connection.js';

export interface RunStackOptions extends GlobalOptions {
  logLevel?: string;
  /** Nodes of a local JetStream cluster (streams replicated that many times, up to 3). */
  cluster?: number;
  /** Partitions of each service that can split (default JETSAGA_PARTITIONS). */
  partitions?: number;
}

/** Service log lines to the terminal: prettified on a TTY, raw pino JSON otherwise. */
function logPrinter(): (service: string, line: string) => void {
  if (!process.stdout.isTTY) return (_service, line) => process.stdout.write(`${line}\n`);
  const pretty = prettyFactory({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' });
  return (service, line) => {
    try {
      process.stdout.write(pretty(JSON.parse(line)));
    } catch {
      process.stdout.write(`[${service}] ${line}\n`);
    }
  };
}

/**
 * Starts nats-server (unless NATS_URL or --nats) and every service as its own process under
 * the data dir, records the broker's URL for the other CLI commands, and stops it all once.
 */
export async function startStack(options: RunStackOptions): Promise<{ stack: Stack; stop: () => Promise<void> }> {
  const dataDir = dataDirOf(options);
  const natsUrl = options.nats ?? process.env.NATS_URL;
  let stack: Stack;
  try {
    stack = await Stack.start({
      dataDir,
      natsUrl,
      cluster: options.cluster,
      partitions: options.partitions,
      env: { LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'info' },
      onLine: logPrinter(),
    });
  } catch (err) {
    if (err instanceof NatsServerNotFound) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  writeFileSync(natsUrlFile(dataDir), `${stack.natsUrl}\n`);
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await stack.stop();
      rmSync(natsUrlFile(dataDir), { force: true });
    })());
  return { stack, stop };
}

/** Stops the stack on the first SIGINT/SIGTERM; a second one exits at once. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    console.error(`\n${signal}: stopping services (finishing messages in hand, flushing outboxes)...`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
