import type { Command } from 'commander';
import { connect } from 'nats';
import { connectionOptions } from '@jetsaga/messaging/ops';
import { repartitionDurables, repartitionService, serviceDefinitions } from '@jetsaga/stack';
import { output, UsageError } from '../cli-kit.js';
import { dataDirOf, type GlobalOptions, resolveAccess } from '../connection.js';

const count = (flag: string, value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`${flag} wants a number of partitions from 1 to 64, not "${value}"`);
  return n;
};

export function registerRepartition(program: Command): void {
  program
    .command('repartition')
    .description('offline: move every service that splits from --from partitions to --to (docs/partitions.md, "Changing N"): its SQLite files re-keyed, and (unless --no-broker) its durables, as the admin')
    .requiredOption('--from <n>', 'partitions the services run as now (1: one process each)')
    .requiredOption('--to <n>', 'partitions they will run as')
    .option('--no-broker', 'only the files: leave the durables to the admin')
    .addHelpText(
      'after',
      '\nThe services must be stopped after every saga ended: nothing pending on their durables, no outbox row unsent, no timer armed. It checks all of that first and changes nothing otherwise. Then change the broker\'s mapping to --to (jetsaga infra nats-config --partitions, or jetsaga up --partitions) before anything is published, and start the new partitions.\n\nExamples:\n  $ jetsaga repartition --from 2 --to 4\n  $ jetsaga --data-dir /var/lib/jetsaga repartition --from 1 --to 2 --no-broker',
    )
    .action(async (options: { from: string; to: string; broker: boolean }, cmd: Command) => {
      const from = count('--from', options.from);
      const to = count('--to', options.to);
      if (from === to) throw new UsageError('--from and --to are the same: nothing to do');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const dataDir = dataDirOf(global);
      const defs = Object.values(serviceDefinitions).filter((d) => d.partitionBy !== undefined);
      // Everything is checked before anything changes: the broker's durables, then every file.
      const nc = options.broker ? await connect({ ...connectionOptions(resolveAccess(global, 'admin')), timeout: 5000 }) : null;
      try {
        const jsm = await nc?.jetstreamManager();
        for (const def of defs) if (jsm) await repartitionDurables(jsm, def, from, to, { check: true });
        const present = defs.filter((def) => repartitionService(def, dataDir, from, to, { check: true }) !== null);
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const reports = present.map((def) => repartitionService(def, dataDir, from, to, { stamp })!);
        const durables = jsm ? await Promise.all(present.map((def) => repartitionDurables(jsm, def, from, to))) : [];
        output(cmd, { from, to, services: reports, durables }, () =>
          [
            ...reports.map((r) => `${r.service}: ${r.from.length} -> ${r.to.length} files (${Object.entries(r.rows).map(([t, n]) => `${t} ${n}`).join(', ')}); the old ones in ${r.backup}`),
            durables.length ? `durables: ${durables.reduce((n, d) => n + d.deleted.length, 0)} deleted, ${durables.reduce((n, d) => n + d.created.length, 0)} created (delivering new messages)` : 'durables: left as they are (--no-broker)',
            `now: the broker's mapping for ${to} partitions, then start them`,
          ].join('\n'),
        );
      } finally {
        await nc?.close();
      }
    });
}
