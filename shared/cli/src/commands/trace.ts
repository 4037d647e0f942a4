import type { Command } from 'commander';
import Table from 'cli-table3';
import { listDeadLetters, readSagaEvents, type StoredEvent } from '@jetsaga/messaging/ops';
import { allServices } from '@jetsaga/stack';
import { dataDirOf, type GlobalOptions, withNats } from '../connection.js';
import { LocalDbs } from '../local-dbs.js';

export interface StepLine {
  service: string;
  step: string;
  operation: string;
  status: string;
  eventIn: string | null;
  eventsOut: string[];
  error: string | null;
  at: string;
}

/** The saga's steps from every service's step log found in the data dir, oldest first. */
export function readSteps(dataDir: string, sagaId: string): StepLine[] {
  const dbs = new LocalDbs(dataDir);
  const steps: (StepLine & { t: number })[] = [];
  for (const service of allServices) {
    const rows = dbs.get(service)?.prepare('SELECT step, operation, status, event_in, events_out, error, created_at FROM step_log WHERE saga_id = ? ORDER BY id').all(sagaId) as
      | { step: string; operation: string; status: string; event_in: string | null; events_out: string; error: string | null; created_at: number }[]
      | undefined;
    for (const r of rows ?? []) {
      steps.push({ service, step: r.step, operation: r.operation, status: r.status, eventIn: r.event_in, eventsOut: JSON.parse(r.events_out) as string[], error: r.error, at: new Date(r.created_at).toISOString(), t: r.created_at });
    }
  }
  dbs.close();
  return steps.sort((a, b) => a.t - b.t).map(({ t: _t, ...s }) => s);
}

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
        const steps = readSteps(dataDirOf(cmd.optsWithGlobals<GlobalOptions>()), sagaId);
        if (options.json) return console.log(JSON.stringify({ sagaId, events: lines, steps, deadLetters }, null, 2));
        if (lines.length === 0 && letters.length === 0 && steps.length === 0) {
          console.error(`no events for saga "${sagaId}" (is the id right, and is this the right NATS?)`);
          process.exitCode = 1;
          return;
        }
        const table = new Table({ head: ['#', '+ms', 'producer', 'event', 'caused by'], colWidths: [5, 9, 14, 26, 18], style: { head: [], border: [] } });
        for (const l of lines) table.push([l.n, l.offsetMs, l.producer, l.type, l.causedBy === null ? 'command' : typeof l.causedBy === 'number' ? `#${l.causedBy}` : `${l.causedBy.slice(0, 13)}..`]);
        console.log(`saga ${sagaId}: ${lines.length} events from ${lines[0]?.at ?? '-'}`);
        console.log(table.toString());
        const lineOf = new Map(lines.map((l) => [l.eventId, l.n]));
        const ref = (id: string | null) => (id === null ? '-' : lineOf.has(id) ? `#${lineOf.get(id)}` : 'command');
        if (steps.length > 0) {
          const stepTable = new Table({ head: ['step', 'in', 'out', 'status', 'error'], colWidths: [30, 8, 12, 10, 12], wordWrap: true, style: { head: [], border: [] } });
          for (const st of steps) stepTable.push([st.step, ref(st.eventIn), st.eventsOut.map(ref).join(' ') || '-', st.status, st.error ?? '']);
          console.log(`steps from the services' logs:\n${stepTable.toString()}`);
        }
        for (const d of deadLetters) console.log(`dead letter #${d.seq} (${d.consumer}): ${d.reason}\n  ${d.error.slice(0, 76)}`);
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
