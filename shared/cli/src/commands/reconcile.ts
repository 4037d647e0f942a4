import type { Command } from 'commander';
import { collectSides } from '@jetsaga/messaging/ops';
import { EXIT, examples, output, parseDuration } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';
import { findDisagreements } from '../reconcile.js';

export function registerReconcile(program: Command): void {
  const cmd = program
    .command('reconcile')
    .description(
      "ask every service over NATS for its side of each saga and list the sagas whose participants disagree (an order CONFIRMED but not charged or not committed, a hold or a charge with no live order, points for a cancelled order, a transfer COMPLETED but not debited or credited, a freeze with no transfer...), and each service's own broken invariants; exits 3 when there are any",
    )
    .option('--since <duration>', 'only sagas changed within, e.g. 1h (default: all)')
    .option('--settle <duration>', 'skip sagas changed within this: in flight, not wrong', '30s')
    .action(async (options: { since?: string; settle: string }, cmd: Command) => {
      const settleMs = parseDuration(options.settle);
      const since = options.since ? new Date(Date.now() - parseDuration(options.since)).toISOString() : undefined;
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const collected = await collectSides(nc, { since });
        if (collected.services.length === 0) throw new Error('no service answers the sides query (are the services running?)');
        const answered = collected.services.filter((s) => !collected.unanswered.includes(s));
        const found = findDisagreements(collected.sides, { answered, unanswered: collected.unanswered, settleMs });
        const report = { since: since ?? null, services: answered, unanswered: collected.unanswered, checked: found.checked, inFlight: found.inFlight, disagreements: found.disagreements, problems: collected.problems };
        output(cmd, report, (r) => {
          const lines = [`${r.checked} sagas checked (${r.inFlight} in flight, skipped) across ${r.services.join(', ')}`];
          if (r.unanswered.length > 0) lines.push(`no answer from: ${r.unanswered.join(', ')} (their side is not checked)`);
          for (const d of r.disagreements) lines.push(`${d.sagaId}: ${d.problems.join('; ')}`);
          for (const p of r.problems) lines.push(`invariant: ${p}`);
          lines.push(r.disagreements.length + r.problems.length === 0 ? 'CONSISTENT' : `${r.disagreements.length} sagas disagree, ${r.problems.length} invariants broken`);
          return lines.join('\n');
        });
        if (found.disagreements.length > 0 || collected.problems.length > 0) process.exitCode = EXIT.attention;
        else if (collected.unanswered.length > 0) process.exitCode = EXIT.failure;
      });
    });
  examples(cmd, ['jetsaga reconcile', 'jetsaga reconcile --since 1h --settle 1m', 'jetsaga reconcile --json | jq ".disagreements[].sagaId"']);
}
