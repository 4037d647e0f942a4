import type { Command } from 'commander';
import type { GlobalOptions } from '../connection.js';
import { startStack, stopOnSignal } from '../run-stack.js';
import { partitionCount, UsageError, wantsJson } from '../cli-kit.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run nats-server (unless NATS_URL is set) and every service, until Ctrl-C')
    .option('--cluster <nodes>', 'a local JetStream cluster of this many nodes (3: streams replicated 3 times) instead of one server')
    .option('--partitions <n>', 'run every service but the banks as n partitions each (JETSAGA_PARTITIONS; docs/partitions.md)')
    .addHelpText('after', '\nExamples:\n  $ jetsaga up\n  $ jetsaga up --json            # one JSON line once up, then the services\' JSON logs\n  $ jetsaga up --cluster 3        # three nats-server nodes with routes; JETSAGA_STREAM_REPLICAS defaults to 3\n  $ jetsaga up --partitions 2     # order-p0, order-p1, payment-p0, ...: each its own process and db')
    .action(async (options: { cluster?: string; partitions?: string }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const cluster = options.cluster === undefined ? undefined : Number(options.cluster);
      if (cluster !== undefined && (!Number.isInteger(cluster) || cluster < 1)) throw new UsageError('--cluster wants a number of nodes, e.g. 3');
      const partitions = options.partitions === undefined ? undefined : partitionCount('--partitions', options.partitions);
      const { stack, stop } = await startStack({ ...global, cluster, partitions });
      stopOnSignal(stop);
      if (wantsJson(cmd)) {
        // one JSON line once everything runs; the services' log lines (JSON) follow
        console.log(JSON.stringify({ msg: 'jetsaga is up', natsUrl: stack.natsUrl, dataDir: stack.dataDir, services: [...stack.services.values()].map((s) => ({ name: s.name, pid: s.pid })) }));
        return;
      }
      const pids = [...stack.services.values()].map((s) => `${s.name} (pid ${s.pid})`).join(', ');
      console.error(`jetsaga is up: NATS ${stack.natsUrl}, data in ${stack.dataDir}\nservices: ${pids}\nCtrl-C stops everything.`);
    });
}
