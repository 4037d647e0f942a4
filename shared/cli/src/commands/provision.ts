import type { Command } from 'commander';
import { checkBrokerPartitions, provisionStreams } from '@jetsaga/stack';
import { output, partitionCount } from '../cli-kit.js';
import { type GlobalOptions, resolveAccess } from '../connection.js';

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description("create the streams, or bring them up to date, as the admin (services may not): `jetsaga up` runs it first")
    .option('--partitions <n>', 'also check that the broker maps subjects to n partitions (docs/partitions.md)')
    .addHelpText('after', '\nExamples:\n  $ jetsaga provision                       # the stack of ./.jetsaga, with its admin key\n  $ jetsaga provision --nats nats://n1:4222 --nkey admin.nk --partitions 4')
    .action(async (opts: { partitions?: string }, cmd: Command) => {
      const partitions = opts.partitions === undefined ? 1 : partitionCount('--partitions', opts.partitions);
      const access = resolveAccess(cmd.optsWithGlobals<GlobalOptions>(), 'admin');
      await provisionStreams(access);
      if (partitions > 1) await checkBrokerPartitions(access, partitions);
      output(cmd, { provisioned: ['EVENTS', 'COMMANDS', 'DLQ'], partitions }, () => `streams EVENTS, COMMANDS and DLQ are provisioned${partitions > 1 ? `; the broker maps subjects to ${partitions} partitions` : ''}`);
    });
}
