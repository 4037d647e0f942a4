import type { Command } from 'commander';
import Table from 'cli-table3';
import { readSagaTrace, type SagaTrace } from '@jetsaga/messaging/ops';
import { EXIT, examples, wantsJson } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';

const refText = (r: number | string | null) => (r === null ? '-' : typeof r === 'number' ? `#${r}` : 'command');

/** A saga's trace as tables that fit 80 columns: events, steps, dead letters, links. */
export function formatTrace(t: SagaTrace): string {
  const lines: string[] = [];
  const events = new Table({ head: ['#', '+ms', 'producer', 'event', 'caused by'], colWidths: [5, 9, 14, 26, 18], style: { head: [], border: [] } });
  for (const e of t.events) {
    events.push([e.n, e.offsetMs, e.producer, e.type, e.causedBy === null ? 'command' : typeof e.causedBy === 'number' ? `#${e.causedBy}` : `${e.causedBy.slice(0, 13)}..`]);
  }
  lines.push(`saga ${t.sagaId}: ${t.events.length} events from ${t.events[0]?.at ?? '-'}`, events.toString());
  if (t.steps.length > 0) {
    const steps = new Table({ head: ['step', 'in', 'out', 'outcome', 'ms', 'retries'], colWidths: [26, 6, 9, 13, 6, 8], wordWrap: true, style: { head: [], border: [] } });
    for (const s of t.steps) steps.push([s.step, refText(s.input), s.outputs.map(refText).join(' ') || '-', s.outcome, s.durationMs, s.retries]);
    lines.push("steps from the services' logs:", steps.toString());
  }
  for (const d of t.deadLetters) lines.push(`dead letter #${d.seq} (${d.consumer}): ${d.reason}`, `  ${d.error.slice(0, 76)}`);
  for (const l of t.links) lines.push(`linked: ${l.relation} ${l.sagaId} (${l.via})`);
  if (t.unanswered.length > 0) lines.push(`no step log from: ${t.unanswered.join(', ')} (not answering)`);
  return lines.join('\n');
}

export function registerTrace(program: Command): void {
  const cmd = program
    .command('trace <sagaId>')
    .description("a saga's timeline across services, over NATS: its events (EVENTS), each service's steps (their step logs), its dead letters and linked sagas")
    .action(async (sagaId: string, _o, cmd: Command) => {
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const trace = await readSagaTrace(nc, sagaId);
        if (wantsJson(cmd)) return console.log(JSON.stringify(trace, null, 2));
        if (trace.events.length === 0 && trace.deadLetters.length === 0 && trace.steps.length === 0) {
          console.error(`no events for saga "${sagaId}" (is the id right, and is this the right NATS?)`);
          process.exitCode = EXIT.failure;
          return;
        }
        console.log(formatTrace(trace));
      });
    });
  examples(cmd, ['jetsaga trace o-42', 'jetsaga trace o-42 --json | jq ".steps[] | select(.retries > 0)"']);
}
