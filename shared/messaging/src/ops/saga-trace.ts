import type { StepRecordView } from '@jetsaga/events';
import type { NatsConnection } from 'nats';
import { STREAMS } from '../nats/provision.js';
import { readStream } from '../nats/read-stream.js';
import { decodeMessage, eventFilter, parseSubject } from '@jetsaga/events';
import { listDeadLetters } from './dead-letters.js';
import { readSagaEvents, type StoredEvent } from './saga-events.js';
import { type DiscoveredService, discoverServices, sagaSteps } from './service-queries.js';

export interface TraceEvent {
  n: number;
  eventId: string;
  type: string;
  producer: string;
  /** When JetStream stored it. */
  at: string;
  offsetMs: number;
  /** The line of the event that caused it, or the causing message id when outside the saga (a command), or null. */
  causedBy: number | string | null;
  streamSeq: number;
  subject: string;
  data: unknown;
}

/** One step a service ran for the saga: a message handled (or a timer fired), its attempts, its outcome. */
export interface TraceStep {
  service: string;
  /** The consumer (`<service>-<Type>`) or timer (`timer:<kind>`). */
  step: string;
  operation: string;
  outcome: 'done' | 'retrying' | 'dead_lettered';
  /** When its input was there to handle: the input event's storing, else its first attempt. */
  startAt: string;
  endAt: string;
  startOffsetMs: number;
  durationMs: number;
  /** Failed attempts before the outcome. */
  retries: number;
  /** Times its input was dead-lettered (then re-driven, if the outcome is done). */
  deadLettered: number;
  /** The line of the input event, or its id (a command, a message of no saga event), or null. */
  input: number | string | null;
  outputs: (number | string)[];
  error: string | null;
}

export interface TraceDeadLetter {
  seq: number;
  consumer: string;
  reason: string;
  error: string;
  at: string;
  subject: string;
}

export interface SagaLink {
  sagaId: string;
  /** How it is linked, from this saga's side. */
  relation: string;
  /** The event that links them (its type). */
  via: string;
}

export interface SagaTrace {
  sagaId: string;
  events: TraceEvent[];
  steps: TraceStep[];
  deadLetters: TraceDeadLetter[];
  links: SagaLink[];
  /** Running services that did not answer for their step log. */
  unanswered: string[];
}

/**
 * Events that link one saga to another: the field of the event's data naming the other saga,
 * and how each side calls the link.
 */
const linkingEvents = [{ type: 'StockHoldTransferred', producer: 'inventory', field: 'toOrderId', from: 'its kept hold went to', to: 'took over the kept hold of' }] as const;

/** Lines of events with their causes, offsets from the first. */
export function traceEvents(events: StoredEvent[]): TraceEvent[] {
  const start = events[0]?.storedAt.getTime() ?? 0;
  const lineOf = new Map(events.map((e, i) => [e.envelope.id, i + 1]));
  return events.map((e, i) => ({
    n: i + 1,
    eventId: e.envelope.id,
    type: e.envelope.type,
    producer: e.envelope.producer,
    at: e.storedAt.toISOString(),
    offsetMs: e.storedAt.getTime() - start,
    causedBy: e.envelope.causationId === null ? null : (lineOf.get(e.envelope.causationId) ?? e.envelope.causationId),
    streamSeq: e.streamSeq,
    subject: e.subject,
    data: e.envelope.data,
  }));
}

/**
 * The step log rows of every service, grouped into steps (same service, consumer or timer, and
 * input): the failed attempts are its retries, the last row its outcome. A step starts when its
 * input was stored (for a timer, when the message that armed it was), and ends at its outcome.
 */
export function traceSteps(rows: (StepRecordView & { service: string })[], events: TraceEvent[]): TraceStep[] {
  // A re-driven event is in the stream twice, with one id: a step's input was there from the first.
  const byId = new Map<string, TraceEvent>();
  for (const e of events) if (!byId.has(e.eventId)) byId.set(e.eventId, e);
  const start = events.length > 0 ? Date.parse(events[0]!.at) : rows.length > 0 ? Math.min(...rows.map((r) => Date.parse(r.at))) : 0;
  const groups = new Map<string, (StepRecordView & { service: string })[]>();
  for (const r of rows) {
    const key = `${r.service}|${r.step}|${r.eventIn ?? `#${r.id}`}`;
    const group = groups.get(key) ?? [];
    group.push(r);
    groups.set(key, group);
  }
  const ref = (id: string | null) => (id === null ? null : (byId.get(id)?.n ?? id));
  const steps = [...groups.values()].map((group): TraceStep => {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const done = group.find((r) => r.status === 'done');
    const outcome = done ? 'done' : last.status === 'dead_lettered' ? 'dead_lettered' : 'retrying';
    const input = first.eventIn === null ? undefined : byId.get(first.eventIn);
    const startMs = Math.min(input ? Date.parse(input.at) : Infinity, Date.parse(first.at));
    const endMs = Date.parse((done ?? last).at);
    return {
      service: first.service,
      step: first.step,
      operation: first.operation,
      outcome,
      startAt: new Date(startMs).toISOString(),
      endAt: new Date(endMs).toISOString(),
      startOffsetMs: startMs - start,
      durationMs: Math.max(0, endMs - startMs),
      retries: group.filter((r) => r.status === 'failed').length,
      deadLettered: group.filter((r) => r.status === 'dead_lettered').length,
      input: ref(first.eventIn),
      outputs: (done?.eventsOut ?? []).map((id) => ref(id)!),
      error: done ? null : (last.error ?? null),
    };
  });
  return steps.sort((a, b) => a.startAt.localeCompare(b.startAt) || a.endAt.localeCompare(b.endAt));
}

/**
 * A saga as the console and `jetsaga trace` show it, read over NATS only: its events (EVENTS),
 * the steps each service logged (their `steps` queries), its dead letters (DLQ), and the
 * sagas it is linked to (a re-order that took over its kept hold, or whose hold it took).
 */
export async function readSagaTrace(nc: NatsConnection, sagaId: string, services?: DiscoveredService[]): Promise<SagaTrace> {
  const [stored, { steps: rows, unanswered }, letters, incoming] = await Promise.all([
    readSagaEvents(nc, sagaId),
    sagaSteps(nc, sagaId, services ?? (await discoverServices(nc))),
    listDeadLetters(nc),
    linksInto(nc, sagaId),
  ]);
  const events = traceEvents(stored);
  const ids = new Set(events.map((e) => e.eventId));
  const deadLetters = letters
    .filter((l) => sagaOfSubject(l.originalSubject) === sagaId || envelopeOf(l.data)?.sagaId === sagaId || ids.has(envelopeOf(l.data)?.id ?? ''))
    .map((l) => ({ seq: l.seq, consumer: l.consumer, reason: l.reason, error: l.error, at: l.at, subject: l.originalSubject }));
  const links: SagaLink[] = [];
  for (const e of events) {
    for (const l of linkingEvents) {
      const other = e.type === l.type ? (e.data as Record<string, unknown>)[l.field] : undefined;
      if (typeof other === 'string' && !links.some((x) => x.sagaId === other)) links.push({ sagaId: other, relation: l.from, via: l.type });
    }
  }
  for (const x of incoming) if (!links.some((l) => l.sagaId === x.sagaId)) links.push(x);
  return { sagaId, events, steps: traceSteps(rows, events), deadLetters, links, unanswered };
}

/** Sagas whose linking events name `sagaId` (the cancelled orders whose kept hold it took over). */
async function linksInto(nc: NatsConnection, sagaId: string): Promise<SagaLink[]> {
  const found: SagaLink[] = [];
  for (const l of linkingEvents) {
    const rows = await readStream(nc, STREAMS.events, eventFilter(l.producer, l.type), (m) => {
      const env = envelopeOf(m.data);
      return env && (env.data as Record<string, unknown> | undefined)?.[l.field] === sagaId && env.sagaId ? { sagaId: env.sagaId, relation: l.to, via: l.type } : undefined;
    });
    for (const r of rows) if (!found.some((f) => f.sagaId === r.sagaId)) found.push(r);
  }
  return found;
}

function envelopeOf(data: Uint8Array): { id?: string; sagaId?: string | null; data?: unknown } | undefined {
  const decoded = decodeMessage(data);
  if (decoded.ok) return decoded.envelope;
  try {
    return JSON.parse(Buffer.from(data).toString()) as { id?: string; sagaId?: string };
  } catch {
    return undefined;
  }
}

/** The saga a subject names: an event's saga token, a command's key (a saga-starting command's is its saga id). */
function sagaOfSubject(subject: string): string | undefined {
  const parsed = parseSubject(subject);
  return parsed?.kind === 'event' ? parsed.sagaId : parsed?.kind === 'command' ? (parsed.key ?? undefined) : undefined;
}
