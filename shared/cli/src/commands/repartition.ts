import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildRepartition, planRepartition, type RepartitionPlan, type RepartitionReport, releasePlan, repartitionDurables, serviceDefinitions, swapRepartition } from '@jetsaga/stack';
import { output, partitionCount, UsageError } from '../cli-kit.js';
import { dataDirOf, type GlobalOptions, withNats } from '../connection.js';

export function registerRepartition(program: Command): void {
  program
    .command('repartition')
    .description('offline, as the admin: move every service that splits from --from partitions to --to (docs/partitions.md, "Changing N"): its SQLite files re-keyed and its durables replaced')
    .requiredOption('--from <n>', 'partitions the services run as now (1: one process each)')
    .requiredOption('--to <n>', 'partitions they will run as')
    .addHelpText(
      'after',
      "\nThe services must be stopped after every saga ended, the broker up: nothing pending on their durables, no dead letter waiting, no outbox row unsent, no timer armed. It checks all of that and builds every new file aside before it changes anything; then it replaces each service's durables and moves its files, one service after the other (a run that stops midway is run again: a service already moved is skipped). Then change the broker's mapping to --to (jetsaga infra nats-config --partitions, or jetsaga up --partitions) before anything is published, and start the new partitions.\n\nExamples:\n  $ jetsaga repartition --from 2 --to 4\n  $ jetsaga --data-dir /var/lib/jetsaga repartition --from 1 --to 2",
    )
    .action(async (options: { from: string; to: string }, cmd: Command) => {
      const from = partitionCount('--from', options.from);
      const to = partitionCount('--to', options.to);
      if (from === to) throw new UsageError('--from and --to are the same: nothing to do');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const dataDir = dataDirOf(global);
      const plans: RepartitionPlan[] = [];
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const work = join(dataDir, `repartition-${stamp}`);
      try {
        await withNats(
          global,
          async (nc) => {
            const jsm = await nc.jetstreamManager();
            // Everything is checked, and every new file built, before anything changes.
            for (const def of Object.values(serviceDefinitions).filter((d) => d.partitionBy !== undefined)) {
              const plan = planRepartition(def, dataDir, from, to);
              if (plan) plans.push(plan);
            }
            if (plans.length === 0) throw new Error(`no service files of ${from} partitions in ${dataDir} (or all moved to ${to} already)`);
            const seqs = new Set<number>();
            for (const p of plans) seqs.add((await repartitionDurables(jsm, p.def, from, to, { check: true })).lastSeq);
            if (seqs.size > 1) throw new Error('EVENTS moved while the durables were checked: something still publishes; stop it and run again');
            const afterSeq = [...seqs][0]!;
            const built = plans.map((p) => buildRepartition(p, work));
            const reports: RepartitionReport[] = [];
            const durables: Awaited<ReturnType<typeof repartitionDurables>>[] = [];
            for (const [i, p] of plans.entries()) {
              durables.push(await repartitionDurables(jsm, p.def, from, to, { afterSeq }));
              reports.push(swapRepartition(p, built[i]!, dataDir, stamp));
            }
            output(cmd, { from, to, services: reports, durables }, () =>
              [
                ...reports.map((r, i) => `${r.service}: ${r.from.length} -> ${r.to.length} files (${Object.entries(r.rows).map(([t, n]) => `${t} ${n}`).join(', ')}); durables ${durables[i]!.deleted.length} deleted, ${durables[i]!.created.length} created; the old files in ${r.backup}`),
                `now: the broker's mapping for ${to} partitions, then start them`,
              ].join('\n'),
            );
          },
          'admin',
        );
      } finally {
        // Released once each (a lock's release is idempotent): the moved services' too.
        for (const p of plans) releasePlan(p);
        rmSync(work, { recursive: true, force: true });
      }
    });
}
