import type { Command } from 'commander';
import type { GlobalOptions } from '../connection.js';
import { startStack, stopOnSignal } from '../run-stack.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('run nats-server (unless NATS_URL is set) and every service, until Ctrl-C')
    .action(async (_options, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const { stack, stop } = await startStack(global);
      stopOnSignal(stop);
      const pids = [...stack.services.values()].map((s) => `${s.name} (pid ${s.pid})`).join(', ');
      console.error(`jetsaga is up: NATS ${stack.natsUrl}, data in ${stack.dataDir}\nservices: ${pids}\nCtrl-C stops everything.`);
    });
}
