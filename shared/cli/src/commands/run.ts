import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { parsePartition } from '@jetsaga/events';
import { allServices, buildService, instanceEnv, prebuiltBundle, serviceEntry, serviceNodeArgs, tsxLoader } from '@jetsaga/stack';
import type { GlobalOptions } from '../connection.js';

/** The global options as the environment a service reads (flags win over the inherited environment). */
function envOf(global: GlobalOptions): NodeJS.ProcessEnv {
  const pairs: [string, string | undefined][] = [
    ['NATS_URL', global.nats],
    ['JETSAGA_DATA_DIR', global.dataDir],
    ['NATS_CREDS', global.creds],
    ['NATS_NKEY', global.nkey],
    ['NATS_USER', global.user],
    ['NATS_PASSWORD', global.password],
    ['NATS_TOKEN', global.token],
    ['NATS_CA', global.tlsca],
    ['NATS_CERT', global.tlscert],
    ['NATS_KEY', global.tlskey],
  ];
  return { ...process.env, ...Object.fromEntries(pairs.filter(([, v]) => v !== undefined)) };
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .argument('<service>', `one of: ${allServices.join(', ')}`)
    .option('--partition <i/N>', 'run partition i of N of the service (JETSAGA_PARTITION): its own db <service>-p<i>.db and durables; the broker needs the mapping for N (`jetsaga infra nats-config --partitions N`)')
    .description('run one service in the foreground, configured by the environment, logs (pino JSON) to stdout: a container\'s or a systemd unit\'s entry point')
    .addHelpText(
      'after',
      '\nExamples:\n  NATS_URL=nats://n1:4222,nats://n2:4222 NATS_NKEY=/run/secrets/order.nk jetsaga run order\n  jetsaga --data-dir /var/lib/jetsaga run payment\n  jetsaga run order --partition 1/4          # partition 1 of 4: db order-p1.db, the order ids the broker maps to 1\n  JETSAGA_BANKS=a,b jetsaga run bank-b          # bank b: db bank-b.db, subjects cmd.bank-b.>, evt.bank-b.>\n\nIt exits with the service\'s code: 0 after a clean stop (SIGTERM, SIGINT), 1 on a fatal error (one log line says why).',
    )
    .action(async (service: string, options: { partition?: string }, cmd: Command) => {
      if (!(allServices as readonly string[]).includes(service)) {
        console.error(`jetsaga run: unknown service "${service}" (one of: ${allServices.join(', ')})`);
        process.exit(2);
      }
      if (options.partition !== undefined) {
        try {
          parsePartition(options.partition);
        } catch (err) {
          console.error(`jetsaga run: --partition: ${(err as Error).message}`);
          process.exit(2);
        }
      }
      // bank-a: JETSAGA_BANK_ID=a (one of JETSAGA_BANKS); --partition 1/4: JETSAGA_PARTITION=1/4
      const partition = options.partition !== undefined ? { JETSAGA_PARTITION: options.partition } : {};
      const env: NodeJS.ProcessEnv = { ...envOf(cmd.optsWithGlobals<GlobalOptions>()), ...instanceEnv(service), ...partition };
      // JETSAGA_BUNDLE_DIR: bundles made ahead of time (`jetsaga build`, the Docker image), run as
      // they are; otherwise bundled now, into node_modules/.cache (which must then be writable).
      const program =
        env.JETSAGA_RUN_TS === '1'
          ? ['--import', tsxLoader, serviceEntry(service)]
          : [env.JETSAGA_BUNDLE_DIR ? prebuiltBundle(env.JETSAGA_BUNDLE_DIR, service) : await buildService(service)];
      const child = spawn(process.execPath, [...serviceNodeArgs(env), ...program], { env, stdio: 'inherit' });
      // The service stops itself cleanly on these; the runner only passes them on and waits.
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
      child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    });
}
