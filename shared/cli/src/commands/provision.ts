import type { Command } from 'commander';
import { provisionStreams } from '@jetsaga/stack';
import { output } from '../cli-kit.js';
import { type GlobalOptions, resolveAccess } from '../connection.js';

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description("create the streams, or bring them up to date, as the admin (services may not): `jetsaga up` runs it first")
    .addHelpText('after', '\nExamples:\n  $ jetsaga provision                       # the stack of ./.jetsaga, with its admin key\n  $ jetsaga provision --nats nats://n1:4222 --nkey admin.nk')
    .action(async (_opts: unknown, cmd: Command) => {
      await provisionStreams(resolveAccess(cmd.optsWithGlobals<GlobalOptions>(), 'admin'));
      output(cmd, { provisioned: ['EVENTS', 'COMMANDS', 'DLQ'] }, () => 'streams EVENTS, COMMANDS and DLQ are provisioned');
    });
}
