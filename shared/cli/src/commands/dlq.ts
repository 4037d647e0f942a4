import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import Table from 'cli-table3';
import { dropDeadLetter, listDeadLetters, redriveDeadLetter } from '@jetsaga/messaging/ops';
import { examples, output, UsageError, wantsJson } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';

/** Asks before a destructive step; without a terminal to ask on, --yes is required. */
async function confirm(question: string, yes?: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) throw new Error(`${question}: refusing without a terminal to ask on; pass --yes`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

function seqOf(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`"${value}" is not a DLQ sequence number (see \`jetsaga dlq ls\`)`);
  return n;
}

export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('inspect and repair dead letters');
  examples(
    dlq
      .command('ls')
      .description('list dead letters, oldest first')
      .option('-s, --service <name>', 'only this service')
      .action(async (options: { service?: string }, cmd: Command) => {
        await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
          const letters = await listDeadLetters(nc, options.service ? `dlq.${options.service}.>` : 'dlq.>');
          if (wantsJson(cmd)) return console.log(JSON.stringify(letters.map(({ data, ...l }) => ({ ...l, bytes: data.byteLength })), null, 2));
          if (letters.length === 0) return console.log('no dead letters');
          const table = new Table({ head: ['seq', 'consumer', 'reason', 'subject', 'n'], colWidths: [7, 24, 18, 20, 4], wordWrap: true, style: { head: [], border: [] } });
          for (const l of letters) table.push([l.seq, l.consumer, l.reason, l.originalSubject, l.deliveries]);
          console.log(table.toString());
        });
      }),
    ['jetsaga dlq ls', 'jetsaga dlq ls --service inventory --json'],
  );
  examples(
    dlq
      .command('show <seq>')
      .description('one dead letter: why, where from, its headers and payload')
      .action(async (seq: string, _o, cmd: Command) => {
        await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
          const letter = (await listDeadLetters(nc)).find((l) => l.seq === seqOf(seq));
          if (!letter) throw new Error(`no dead letter ${seq}`);
          const { data, headers, ...rest } = letter;
          const text = Buffer.from(data).toString('utf8');
          let payload: unknown = text;
          try {
            payload = JSON.parse(text);
          } catch {
            // not JSON: shown as it is
          }
          output(cmd, { ...rest, headers, payload }, (v) => `${JSON.stringify({ ...rest, headers: v.headers }, null, 2)}\n${typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2)}`);
        });
      }),
    ['jetsaga dlq show 12', 'jetsaga dlq show 12 --json | jq .payload'],
  );
  examples(
    dlq
      .command('redrive [seq]')
      .description('publish a dead letter again to its original subject (same envelope id), then remove it')
      .option('--all', 'every dead letter (with --service, of one service)')
      .option('-s, --service <name>', 'with --all: only this service')
      .option('-y, --yes', 'do not ask')
      .action(async (seq: string | undefined, options: { all?: boolean; service?: string; yes?: boolean }, cmd: Command) => {
        if (!seq && !options.all) throw new UsageError('give a sequence number, or --all');
        await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
          const letters = seq ? [seqOf(seq)] : (await listDeadLetters(nc, options.service ? `dlq.${options.service}.>` : 'dlq.>')).map((l) => l.seq);
          if (letters.length === 0) return output(cmd, { redriven: [] }, () => 'nothing to re-drive');
          if (!(await confirm(`re-drive ${letters.length} dead letter(s)`, options.yes))) return output(cmd, { redriven: [] }, () => 'nothing done');
          const redriven = [];
          for (const s of letters) redriven.push({ seq: s, ...(await redriveDeadLetter(nc, s)) });
          output(cmd, { redriven }, (v) => v.redriven.map((r) => `#${r.seq} -> ${r.subject} (${r.stream} seq ${r.streamSeq}); removed from the DLQ`).join('\n'));
        });
      }),
    ['jetsaga dlq redrive 12', 'jetsaga dlq redrive --all --service inventory --yes'],
  );
  examples(
    dlq
      .command('drop <seq>')
      .description('delete a dead letter for good')
      .option('-y, --yes', 'do not ask')
      .action(async (seq: string, options: { yes?: boolean }, cmd: Command) => {
        await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
          if (!(await confirm(`delete dead letter ${seq} for good`, options.yes))) return output(cmd, { dropped: [] }, () => 'nothing done');
          await dropDeadLetter(nc, seqOf(seq));
          output(cmd, { dropped: [seqOf(seq)] }, () => `dead letter ${seq} deleted`);
        });
      }),
    ['jetsaga dlq drop 12', 'jetsaga dlq drop 12 --yes --json'],
  );
}
