import type { Command } from 'commander';
import Table from 'cli-table3';
import { type SystemStatus, systemStatus } from '@jetsaga/messaging/ops';
import { EXIT, examples, wantsJson } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';

const ago = (ms: number | null) => (ms === null ? '-' : `${Math.round(ms / 1000)}s`);

/** The status as tables: consumers (from the broker), services (their answers), and the verdict. */
export function formatStatus(s: SystemStatus): string {
  const consumers = new Table({ head: ['consumer', 'pending', 'unacked', 'redelivered'], colWidths: [34, 10, 10, 13], style: { head: [], border: [] } });
  for (const c of s.consumers) consumers.push([c.consumer, c.pending, c.ackPending, c.redelivered]);
  const services = new Table({ head: ['service', 'ready', 'outbox', 'oldest', 'due', 'dlq', 'last error'], colWidths: [14, 7, 8, 8, 5, 5, 30], wordWrap: true, style: { head: [], border: [] } });
  for (const v of s.services) {
    const st = v.status;
    if (!st) {
      services.push([v.service, 'DOWN', '-', '-', '-', '-', v.error ?? 'no answer']);
      continue;
    }
    const lastError = st.lastError ? `${st.lastError.at.slice(11, 19)} ${st.lastError.step}: ${st.lastError.error}` : '-';
    services.push([v.service, st.ready ? 'yes' : 'no', st.outbox.backlog, ago(st.outbox.oldestUnsentMs), st.timers.due, st.deadLetters?.count ?? '?', lastError]);
  }
  const verdict = s.problems.length === 0 ? 'HEALTHY' : `NEEDS ATTENTION: ${s.problems.join('; ')}`;
  return `${consumers.toString()}\n${services.toString()}\n${verdict}`;
}

export function registerStatus(program: Command): void {
  const cmd = program
    .command('status')
    .description("every service's health over NATS (its status query: ready, outbox, timers, dead letters, last error) and every consumer's lag; exits 3 when something needs attention")
    .option('-w, --watch [seconds]', 'refresh every few seconds (until Ctrl-C)')
    .action(async (options: { watch?: boolean | string }, cmd: Command) => {
      const json = wantsJson(cmd);
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        for (;;) {
          const status = await systemStatus(nc);
          const text = json ? JSON.stringify(status, null, options.watch ? 0 : 2) : formatStatus(status);
          process.exitCode = status.problems.length > 0 ? EXIT.attention : EXIT.ok;
          if (!options.watch) return console.log(text);
          if (!json) console.clear();
          console.log(json ? text : `${new Date().toISOString()}\n${text}`);
          await new Promise((r) => setTimeout(r, Number(options.watch === true ? 2 : options.watch) * 1000));
        }
      });
    });
  examples(cmd, ['jetsaga status', 'jetsaga status --json | jq .problems', 'jetsaga status --watch 5', 'jetsaga status || echo "exit $?: 3 means something needs attention"']);
}
