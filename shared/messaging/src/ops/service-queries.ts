import {
  PARTITION_METADATA_KEY,
  type Partition,
  tryParsePartition,
  parsePartitionName,
  QUERIES_METADATA_KEY,
  type QueryDef,
  querySubject,
  type SagaCursor,
  type SagaSide,
  type SagaSummary,
  type SagasRequest,
  sagasQuery,
  sidesQuery,
  type StatusResponse,
  statusQuery,
  type StepRecordView,
  stepsQuery,
} from '@jetsaga/events';
import { JSONCodec, type NatsConnection, RequestStrategy, ServiceError } from 'nats';
import type { z } from 'zod';
import { STREAMS } from '../nats/provision.js';

/** A running jetsaga service, as it answered `$SRV.INFO`. */
export interface DiscoveredService {
  name: string;
  /** Its micro service instance id. */
  id: string;
  version: string;
  queries: string[];
  /** The partition it runs (`order-p1`: 1 of `count`), when its service is split. */
  partition?: Partition;
}

export class QueryError extends Error {
  constructor(
    readonly service: string,
    readonly query: string,
    message: string,
    readonly code?: number,
  ) {
    super(`${service} ${query}: ${message}`);
    this.name = 'QueryError';
  }
}

const codec = JSONCodec();

/**
 * The jetsaga services answering now (`$SRV.INFO`, the micro services marked with the kit's
 * metadata), by name. Waits until none has answered for a while (`jitterMs`), at most `maxWaitMs`.
 */
export async function discoverServices(nc: NatsConnection, options: { maxWaitMs?: number; jitterMs?: number } = {}): Promise<DiscoveredService[]> {
  const client = nc.services.client({ strategy: RequestStrategy.JitterTimer, maxWait: options.maxWaitMs ?? 3000, jitter: options.jitterMs ?? 400 } as never);
  const found = new Map<string, DiscoveredService>();
  try {
    for await (const info of await client.info()) {
      const queries = info.metadata?.[QUERIES_METADATA_KEY];
      if (queries === undefined) continue;
      const text = info.metadata?.[PARTITION_METADATA_KEY];
      const partition = text === undefined ? undefined : tryParsePartition(text);
      found.set(info.name, { name: info.name, id: info.id, version: info.version, queries: queries.split(',').filter(Boolean), ...(partition ? { partition } : {}) });
    }
  } catch (err) {
    // no responders at all: no service is running
    if (!/503|no responders/i.test(String((err as Error).message ?? err))) throw err;
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The service a discovered one is, or is a partition of (`order-p1`: order). */
function serviceOf(s: DiscoveredService): string {
  return s.partition ? (parsePartitionName(s.name)?.service ?? s.name) : s.name;
}

/**
 * Services as wholes: a partition's name (`order-p1`) counts for its service (`order`), which
 * answered only when each of its partitions was found and answered.
 */
export function wholeServices(running: readonly DiscoveredService[], unanswered: readonly string[]): { services: string[]; unanswered: string[] } {
  const seen = new Map<string, { count: number; indices: Set<number>; silent: boolean }>();
  for (const s of running) {
    const service = serviceOf(s);
    const entry = seen.get(service) ?? { count: s.partition?.count ?? 1, indices: new Set<number>(), silent: false };
    entry.indices.add(s.partition?.index ?? 0);
    if (unanswered.includes(s.name)) entry.silent = true;
    seen.set(service, entry);
  }
  const services = [...seen.keys()].sort();
  return { services, unanswered: services.filter((s) => seen.get(s)!.silent || seen.get(s)!.indices.size < seen.get(s)!.count) };
}

/** Asks one service one query (the version the client knows), and checks the answer against its schema. */
export async function queryService<Req extends z.ZodType, Res extends z.ZodType>(
  nc: NatsConnection,
  service: string,
  q: QueryDef<string, Req, Res>,
  request: Omit<z.input<Req>, 'version'>,
  timeoutMs = 5000,
): Promise<z.infer<Res>> {
  let msg;
  try {
    msg = await nc.request(querySubject(service, q.name), codec.encode({ version: q.version, ...request }), { timeout: timeoutMs });
  } catch (err) {
    const text = String((err as Error).message ?? err);
    throw new QueryError(service, q.name, /503|no responders/i.test(text) ? 'not answering (is it running?)' : /timeout/i.test(text) ? `no answer in ${timeoutMs} ms` : text);
  }
  const error = ServiceError.toServiceError(msg);
  if (error) throw new QueryError(service, q.name, error.message, error.code);
  const parsed = q.response.safeParse(msg.json());
  if (!parsed.success) throw new QueryError(service, q.name, `answer does not fit version ${q.version}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The services that have durable consumers on the broker: those that should answer. */
export async function servicesOnBroker(nc: NatsConnection): Promise<{ services: string[]; consumers: { service: string; consumer: string; stream: string; pending: number; ackPending: number; redelivered: number }[] }> {
  const jsm = await nc.jetstreamManager();
  const consumers: { service: string; consumer: string; stream: string; pending: number; ackPending: number; redelivered: number }[] = [];
  for (const stream of [STREAMS.events, STREAMS.commands]) {
    for await (const c of jsm.consumers.list(stream)) {
      if (!c.config.durable_name) continue;
      const service = c.name.slice(0, c.name.lastIndexOf('-'));
      consumers.push({ service, consumer: c.name, stream, pending: c.num_pending, ackPending: c.num_ack_pending, redelivered: c.num_redelivered });
    }
  }
  consumers.sort((a, b) => a.consumer.localeCompare(b.consumer));
  return { services: [...new Set(consumers.map((c) => c.service))].sort(), consumers };
}

export interface ServiceHealth {
  service: string;
  /** Its status answer, or null when it did not answer. */
  status: StatusResponse | null;
  error: string | null;
}

export interface SystemStatus {
  at: string;
  services: ServiceHealth[];
  /** Every durable consumer on the broker (also those of services that do not answer). */
  consumers: { service: string; consumer: string; stream: string; pending: number; ackPending: number; redelivered: number }[];
  /** What needs attention, one sentence each; empty when all is well. */
  problems: string[];
}

/** Thresholds past which `systemStatus` calls something a problem. */
export const STATUS_LIMITS = { consumerBehind: 100, oldestUnsentMs: 10_000, timerOverdueMs: 10_000 } as const;

/** Every service's status over NATS, and the consumers the broker holds: what `jetsaga status` and the console show. */
export async function systemStatus(nc: NatsConnection): Promise<SystemStatus> {
  const [running, broker] = await Promise.all([discoverServices(nc), servicesOnBroker(nc)]);
  const names = [...new Set([...running.map((s) => s.name), ...broker.services])].sort();
  const services = await Promise.all(
    names.map(async (service): Promise<ServiceHealth> => {
      try {
        return { service, status: await queryService(nc, service, statusQuery, {}), error: null };
      } catch (err) {
        return { service, status: null, error: (err as Error).message };
      }
    }),
  );
  const now = Date.now();
  const problems: string[] = [];
  // Dead letters are the service's (dlq.<service>.>): each of its partitions reports the same ones.
  const owners = new Map(running.map((r) => [r.name, serviceOf(r)]));
  const deadLettersSaid = new Set<string>();
  for (const s of services) {
    if (!s.status) {
      problems.push(`${s.service}: not answering (${s.error})`);
      continue;
    }
    const st = s.status;
    if (!st.ready) problems.push(`${s.service}: not ready (${st.notReady.join('; ')})`);
    if (st.consumersError) problems.push(`${s.service}: consumer info unreadable (${st.consumersError})`);
    if ((st.outbox.oldestUnsentMs ?? 0) > STATUS_LIMITS.oldestUnsentMs) problems.push(`${s.service} outbox: oldest unsent ${Math.round(st.outbox.oldestUnsentMs! / 1000)} s`);
    if (st.timers.due > 0 && st.timers.nextDueAt && now - Date.parse(st.timers.nextDueAt) > STATUS_LIMITS.timerOverdueMs) problems.push(`${s.service}: ${st.timers.due} timers overdue`);
    const owner = owners.get(s.service) ?? s.service;
    if (st.deadLetters && st.deadLetters.count > 0 && !deadLettersSaid.has(owner)) {
      deadLettersSaid.add(owner);
      problems.push(`${owner}: ${st.deadLetters.count} dead letters`);
    }
  }
  for (const c of broker.consumers) {
    if (c.pending + c.ackPending > STATUS_LIMITS.consumerBehind) problems.push(`${c.consumer} is ${c.pending + c.ackPending} behind`);
  }
  return { at: new Date(now).toISOString(), services, consumers: broker.consumers, problems };
}

/** One saga's steps from every running service's step log, oldest first; and who did not answer. */
export async function sagaSteps(nc: NatsConnection, sagaId: string, services?: DiscoveredService[]): Promise<{ steps: (StepRecordView & { service: string })[]; unanswered: string[] }> {
  const running = services ?? (await discoverServices(nc));
  const unanswered: string[] = [];
  const all = await Promise.all(
    running.map(async (s) => {
      try {
        return (await queryService(nc, s.name, stepsQuery, { sagaId })).steps.map((st) => ({ ...st, service: s.name }));
      } catch {
        unanswered.push(s.name);
        return [];
      }
    }),
  );
  const steps = all.flat().sort((a, b) => a.at.localeCompare(b.at) || a.id - b.id);
  return { steps, unanswered };
}

export interface SagaListing {
  sagas: (SagaSummary & { owner: string })[];
  /** Pass as `before` for the next page; null on the last. */
  next: SagaCursor | null;
  /** How many sagas match the filters, by state, over every owner. */
  counts: Record<string, number>;
  owners: string[];
  unanswered: string[];
}

/**
 * Sagas of every owner (each service answering `sagas`), newest first, merged: a page of
 * `limit`, and a cursor (the last row's creation) that pages every owner at once.
 */
export async function listSagas(nc: NatsConnection, request: Omit<SagasRequest, 'version'>, services?: DiscoveredService[]): Promise<SagaListing> {
  const owners = (services ?? (await discoverServices(nc))).filter((s) => s.queries.includes('sagas'));
  const limit = request.limit ?? 50;
  const unanswered: string[] = [];
  const pages = await Promise.all(
    owners.map(async (o) => {
      try {
        return { owner: o.name, page: await queryService(nc, o.name, sagasQuery, { ...request, limit }) };
      } catch {
        unanswered.push(o.name);
        return null;
      }
    }),
  );
  const counts: Record<string, number> = {};
  const rows: (SagaSummary & { owner: string })[] = [];
  let more = false;
  for (const p of pages) {
    if (!p) continue;
    for (const [k, n] of Object.entries(p.page.counts)) counts[k] = (counts[k] ?? 0) + n;
    rows.push(...p.page.sagas.map((s) => ({ ...s, owner: p.owner })));
    if (p.page.next) more = true;
  }
  rows.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.sagaId.localeCompare(a.sagaId));
  const sagas = rows.slice(0, limit);
  const last = sagas[sagas.length - 1];
  const next = (more || rows.length > limit) && last ? { createdAt: last.createdAt, sagaId: last.sagaId } : null;
  return { sagas, next, counts, owners: owners.map((o) => o.name), unanswered };
}

/**
 * Every running service's side of the sagas changed since `since` (all when not given), and
 * then the sides of those sagas the first pass left out (a payment captured before `since`
 * whose order changed after): what `jetsaga reconcile` compares.
 */
export async function collectSides(nc: NatsConnection, options: { since?: string } = {}): Promise<{ sides: (SagaSide & { service: string })[]; problems: string[]; services: string[]; unanswered: string[] }> {
  const running = (await discoverServices(nc)).filter((s) => s.queries.includes('sides'));
  const sides: (SagaSide & { service: string })[] = [];
  const problems: string[] = [];
  const unanswered: string[] = [];
  const pageAll = async (service: string, request: { since?: string; sagaIds?: string[] }) => {
    let after: string | undefined;
    for (;;) {
      const page = await queryService(nc, service, sidesQuery, { ...request, after, limit: 1000 }, 10_000);
      sides.push(...page.sides.map((s) => ({ ...s, service })));
      if (after === undefined && request.sagaIds === undefined) problems.push(...page.problems.map((p) => `${service}: ${p}`));
      if (!page.next) return;
      after = page.next;
    }
  };
  await Promise.all(
    running.map((s) =>
      pageAll(s.name, { since: options.since }).catch(() => {
        unanswered.push(s.name);
      }),
    ),
  );
  if (options.since) {
    const ids = [...new Set(sides.map((s) => s.sagaId))];
    for (const s of running.filter((r) => !unanswered.includes(r.name))) {
      const have = new Set(sides.filter((x) => x.service === s.name).map((x) => x.sagaId));
      const missing = ids.filter((id) => !have.has(id) && /^[A-Za-z0-9_-]{1,64}$/.test(id));
      for (let i = 0; i < missing.length; i += 500) await pageAll(s.name, { sagaIds: missing.slice(i, i + 500) });
    }
  }
  // reconcile reasons about services (`order`), whatever partitions each runs as
  return { sides, problems, ...wholeServices(running, unanswered) };
}
