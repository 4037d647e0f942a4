import type { Command } from 'commander';
import Table from 'cli-table3';
import { listDeadLetters, readSagaEvents, type StoredEvent } from '@jetsaga/messaging';
import { type GlobalOptions, withNats } from '../connection.js';

export interface TraceLine {
  n: number;
  offsetMs: number;
  at: string;
  producer: string;
  type: string;
  /** The line number of the event that caused this one, or the causing message id when outside the saga. */
  causedBy: number | string | null;
  eventId: string;
  streamSeq: number;
}

/** A saga's events as a timeline: offset from the first, and which earlier event caused each. */
export function traceLines(events: StoredEvent[]): TraceLine[] {
  const start = events[0]?.storedAt.getTime() ?? 0;
  const lineOf = new Map(events.map((e, i) => [e.envelope.id, i + 1]));
  return events.map((e, i) => ({
    n: i + 1,
    offsetMs: e.storedAt.getTime() - start,
    at: e.storedAt.toISOString(),
    producer: e.envelope.producer,
    type: e.envelope.type,
    causedBy: e.envelope.causationId === null ? null : (lineOf.get(e.envelope.causationId) ?? e.envelope.causationId),
    eventId: e.envelope.id,
    streamSeq: e.streamSeq,
  }));
}

export function registerTrace(program: Command): void {
  program
    .command('trace <sagaId>')
    .description("a saga's timeline across services, from the EVENTS stream, with its dead letters")
    .option('--json', 'machine-readable output')
    .action(async (sagaId: string, options: { json?: boolean }, cmd: Command) => {
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const lines = traceLines(await readSagaEvents(nc, sagaId));
        const letters = (await listDeadLetters(nc)).filter((l) => l.originalSubject.endsWith(`.${sagaId}`) || sagaOf(l.data) === sagaId);
        const deadLetters = letters.map((l) => ({ seq: l.seq, consumer: l.consumer, reason: l.reason, error: l.error, at: l.at }));
        if (options.json) return console.log(JSON.stringify({ sagaId, events: lines, deadLetters }, null, 2));
        if (lines.length === 0 && letters.length === 0) {
          console.error(`no events for saga "${sagaId}" (is the id right, and is this the right NATS?)`);
          process.exitCode = 1;
          return;
        }
        const table = new Table({ head: ['#', '+ms', 'producer', 'event', 'caused by'], colWidths: [5, 9, 14, 26, 22], style: { head: [], border: [] } });
        for (const l of lines) table.push([l.n, l.offsetMs, l.producer, l.type, l.causedBy === null ? 'command' : typeof l.causedBy === 'number' ? `#${l.causedBy}` : `${l.causedBy.slice(0, 18)}..`]);
        console.log(`saga ${sagaId}: ${lines.length} events from ${lines[0]?.at ?? '-'}`);
        console.log(table.toString());
        for (const d of deadLetters) console.log(`dead letter #${d.seq} (${d.consumer}): ${d.reason}: ${d.error}`);
      });
    });
}

function sagaOf(data: Uint8Array): string | undefined {
  try {
    return (JSON.parse(Buffer.from(data).toString()) as { sagaId?: string }).sagaId;
  } catch {
    return undefined;
  }
}
