import { z } from 'zod';
import { tokenId } from './ids.js';

/**
 * Queries: what every service answers over NATS, as a NATS micro service (`nats micro ls`)
 * named after the service (`order`, `bank-a`), on `jetsaga.<service>.<query>`. Versioned like
 * the messages: a request names the version it wants (`version`), the response carries it; a
 * service that does not know the version answers a micro error (400). New fields are added as
 * optional; a breaking change gets a new version.
 */
export interface QueryDef<N extends string = string, Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  name: N;
  version: number;
  summary: string;
  request: Req;
  response: Res;
}

function defineQuery<const N extends string, Req extends z.ZodType, Res extends z.ZodType>(def: QueryDef<N, Req, Res>): QueryDef<N, Req, Res> {
  return def;
}

/** `jetsaga.<service>.<query>`: where a service answers a query. */
export function querySubject(service: string, query: string): string {
  return `jetsaga.${service}.${query}`;
}

/** The micro service's metadata key that marks a jetsaga service (its value: the queries it answers, comma-separated). */
export const QUERIES_METADATA_KEY = 'jetsaga.queries';
/** Micro metadata of a partition's process: `i/N` (docs/partitions.md). */
export const PARTITION_METADATA_KEY = 'jetsaga.partition';

const at = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();
const v1 = z.literal(1);

// ---- status ----------------------------------------------------------------------------------

export const statusQuery = defineQuery({
  name: 'status',
  version: 1,
  summary:
    "The service's health: ready or why not, each of its durable consumers' lag, its outbox backlog, its timers, the dead letters it produced (still in the DLQ) and its last error.",
  request: z.object({ version: v1 }),
  response: z.object({
    version: v1,
    service: z.string(),
    /** The micro service instance id (one per process). */
    instance: z.string(),
    startedAt: at,
    at,
    ready: z.boolean(),
    notReady: z.array(z.string()),
    consumers: z.array(z.object({ consumer: z.string(), stream: z.string(), pending: count, ackPending: count, redelivered: count })),
    /** Why consumer info could not be read (the broker did not answer), else null. */
    consumersError: z.string().nullable(),
    outbox: z.object({ backlog: count, oldestUnsentMs: count.nullable() }),
    timers: z.object({ armed: count, due: count, nextDueAt: at.nullable() }),
    /** Dead letters this service produced that are still in the DLQ, by message type (`dlq.<service>.<Type>`); null when the DLQ could not be read. */
    deadLetters: z.object({ count, byType: z.record(z.string(), count) }).nullable(),
    lastError: z.object({ at, step: z.string(), operation: z.string(), sagaId: z.string().nullable(), status: z.string(), error: z.string() }).nullable(),
    /** Steps of the last hour, by outcome. */
    lastHour: z.object({ done: count, failed: count, deadLettered: count }),
  }),
});
export type StatusRequest = z.infer<typeof statusQuery.request>;
export type StatusResponse = z.infer<typeof statusQuery.response>;

// ---- steps -----------------------------------------------------------------------------------

export const stepRecord = z.object({
  id: count,
  /** The consumer (`<service>-<Type>`) or timer (`timer:<kind>`) that ran it. */
  step: z.string(),
  operation: z.string(),
  status: z.enum(['done', 'failed', 'dead_lettered']),
  /** The message handled (a timer: the message that armed it). */
  eventIn: z.string().nullable(),
  eventsOut: z.array(z.string()),
  error: z.string().nullable(),
  at,
});
export type StepRecordView = z.infer<typeof stepRecord>;

export const stepsQuery = defineQuery({
  name: 'steps',
  version: 1,
  summary: "The service's step log for one saga, oldest first: each step it ran (a message handled, a timer fired), each failed attempt and dead letter.",
  request: z.object({ version: v1, sagaId: tokenId, limit: z.number().int().min(1).max(1000).default(500) }),
  response: z.object({ version: v1, service: z.string(), sagaId: z.string(), steps: z.array(stepRecord) }),
});
export type StepsRequest = z.input<typeof stepsQuery.request>;
export type StepsResponse = z.infer<typeof stepsQuery.response>;

// ---- sagas -----------------------------------------------------------------------------------

export const sagaSummary = z.object({
  sagaId: z.string(),
  /** What the saga is (`order`): the owner's kind of saga. */
  kind: z.string(),
  state: z.string(),
  terminal: z.boolean(),
  /** Ended without doing what it was for (cancelled, failed). */
  failed: z.boolean(),
  reason: z.string().nullable(),
  createdAt: at,
  updatedAt: at,
  /** When the owner gives up on it if it is still open (its deadline timer), else null. */
  deadlineAt: at.nullable(),
  customerId: z.string().nullable(),
  amount: z.number().int().nullable(),
});
export type SagaSummary = z.infer<typeof sagaSummary>;

/** Newest first: a page ends before this saga (created at `createdAt`, ties by id). */
export const sagaCursor = z.object({ createdAt: at, sagaId: z.string() });
export type SagaCursor = z.infer<typeof sagaCursor>;

export const sagasQuery = defineQuery({
  name: 'sagas',
  version: 1,
  summary:
    'The sagas a service owns, newest first, filtered (state, failed, stuck: open with no change for longer than `stuckForMs`, created since, id search) and paged (`before`: the cursor of the last row of the previous page). `counts`: how many match the filters, by state.',
  request: z.object({
    version: v1,
    states: z.array(z.string().regex(/^[A-Z_]{1,32}$/)).max(16).optional(),
    failed: z.boolean().optional(),
    stuckForMs: count.optional(),
    since: at.optional(),
    /** An id, or the start of one. */
    search: tokenId.optional(),
    before: sagaCursor.optional(),
    limit: z.number().int().min(1).max(500).default(50),
  }),
  response: z.object({ version: v1, service: z.string(), sagas: z.array(sagaSummary), next: sagaCursor.nullable(), counts: z.record(z.string(), count) }),
});
export type SagasRequest = z.input<typeof sagasQuery.request>;
export type SagasQuery = z.infer<typeof sagasQuery.request>;
export type SagasResponse = z.infer<typeof sagasQuery.response>;

// ---- sides -----------------------------------------------------------------------------------

/** One participant's record of a saga (an order, a reservation, a payment, points, a notice). */
export const sagaSide = z.object({
  sagaId: z.string(),
  /** What the record is: `order`, `reservation`, `payment`, `points`, `notice:<kind>`... */
  kind: z.string(),
  status: z.string(),
  customerId: z.string().nullable(),
  amount: z.number().int().nullable(),
  updatedAt: at,
});
export type SagaSide = z.infer<typeof sagaSide>;

export const sidesQuery = defineQuery({
  name: 'sides',
  version: 1,
  summary:
    "The service's side of each saga (for `jetsaga reconcile`): its records changed since `since`, or of the sagas named, paged by saga id (`after`); and `problems`: its own invariants that do not hold (stock or money not conserved).",
  request: z.object({
    version: v1,
    since: at.optional(),
    sagaIds: z.array(tokenId).max(500).optional(),
    after: z.string().optional(),
    limit: z.number().int().min(1).max(1000).default(500),
  }),
  response: z.object({ version: v1, service: z.string(), sides: z.array(sagaSide), next: z.string().nullable(), problems: z.array(z.string()) }),
});
export type SidesRequest = z.input<typeof sidesQuery.request>;
export type SidesQuery = z.infer<typeof sidesQuery.request>;
export type SidesResponse = z.infer<typeof sidesQuery.response>;

/** Every query, in the order the README lists them. */
export const queries = [statusQuery, stepsQuery, sagasQuery, sidesQuery] as const;
export type QueryName = (typeof queries)[number]['name'];

/** JSON Schemas of every query's request and response, keyed `<query>.v<version>.request|response`. */
export function queryJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const q of queries) {
    out[`${q.name}.v${q.version}.request`] = { ...(z.toJSONSchema(q.request, { io: 'input' }) as Record<string, unknown>), title: `${q.name} v${q.version} request`, description: q.summary };
    out[`${q.name}.v${q.version}.response`] = { ...(z.toJSONSchema(q.response) as Record<string, unknown>), title: `${q.name} v${q.version} response` };
  }
  return out;
}
