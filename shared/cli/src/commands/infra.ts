import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { output, partitionCount } from '../cli-kit.js';
import { ensureIdentities, identityPermissions, infraNatsConfigs, nkeyVariable, repoRoot, serviceDefinitions } from '@jetsaga/stack';

export function registerInfra(program: Command): void {
  const infra = program.command('infra').description('configs for deploying: nats-server configs with the identities, and their keys');
  infra
    .command('nats-config')
    .description('write the nats-server configs (single and 3-node cluster) with every identity and its permissions')
    .option('--out <dir>', 'where to write them', join(repoRoot, 'infra', 'nats'))
    .option('--partitions <n>', 'the subject mapping and permissions for services run as n partitions each (docs/partitions.md)', '1')
    .addHelpText('after', '\nExamples:\n  $ jetsaga infra nats-config --out infra/nats     # what is committed; a test checks it has not drifted\n  $ jetsaga infra nats-config --partitions 4 --out /etc/jetsaga/nats')
    .action((options: { out: string; partitions: string }, cmd: Command) => {
      const partitions = partitionCount('--partitions', options.partitions);
      const wrote: string[] = [];
      for (const [file, text] of Object.entries(infraNatsConfigs(Object.values(serviceDefinitions), partitions))) {
        const path = join(resolve(options.out), file);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
        wrote.push(path);
      }
      output(cmd, { wrote }, (v) => v.wrote.map((p) => `wrote ${p}`).join('\n'));
    });
  infra
    .command('keys')
    .description("make (or keep) an nkey per identity in <dir>, and print the server's environment (public keys)")
    .requiredOption('--dir <dir>', 'where the seeds go (<identity>.nk, mode 0600): give each service only its own')
    .addHelpText('after', '\nExamples:\n  $ jetsaga infra keys --dir ./secrets > infra/.env     # compose reads infra/.env for the nats container')
    .action((options: { dir: string }, cmd: Command) => {
      const ids = ensureIdentities(resolve(options.dir), identityPermissions(Object.values(serviceDefinitions)));
      output(cmd, Object.fromEntries(ids.map((id) => [nkeyVariable(id.name), id.publicKey])), (v) => Object.entries(v).map(([k, key]) => `${k}=${key}`).join('\n'));
    });
}
