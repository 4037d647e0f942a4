import type { Command } from 'commander';
import type { GlobalOptions } from '../connection.js';
import { startStack, stopOnSignal } from '../run-stack.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run nats-server (unless NATS_URL is set) and every service, until Ctrl-C')
    .option('--cluster <nodes>', 'a local JetStream cluster of this many nodes (3: streams replicated 3 times) instead of one server')
    .addHelpText('after', '\nExamples:\n  jetsaga up\n  jetsaga up --cluster 3        # three nats-server nodes with routes; JETSAGA_STREAM_REPLICAS defaults to 3')
    .action(async (options: { cluster?: string }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const cluster = options.cluster === undefined ? undefined : Number(options.cluster);
      if (cluster !== undefined && (!Number.isInteger(cluster) || cluster < 1)) {
        console.error('jetsaga up: --cluster wants a number of nodes, e.g. 3');
        process.exit(2);
      }
      const { stack, stop } = await startStack({ ...global, cluster });
      stopOnSignal(stop);
      const pids = [...stack.services.values()].map((s) => `${s.name} (pid ${s.pid})`).join(', ');
      console.error(`jetsaga is up: NATS ${stack.natsUrl}, data in ${stack.dataDir}\nservices: ${pids}\nCtrl-C stops everything.`);
    });
}
