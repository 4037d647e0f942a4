import { formatPartition, PARTITION_METADATA_KEY, partitionName, type QueryDef, QUERIES_METADATA_KEY, querySubject, sagasQuery, sidesQuery, statusQuery, stepsQuery } from '@jetsaga/events';
import { JSONCodec, type NatsConnection, type Service, type ServiceMsg } from 'nats';
import type { z } from 'zod';
import { deadLetterCounts } from '../nats/stream-usage.js';
import type { Logger } from '../observe/logger.js';
import type { ServiceDb } from '../sqlite/open-db.js';
import type { AnyServiceDefinition } from './define.js';
import { readLocalStatus, readSteps } from './queries.js';
import { type PartitionOf, serviceSubscriptions } from './subscriptions.js';

/** The version the micro service reports (`nats micro info`): the kit's query protocol. */
export const ENDPOINTS_VERSION = '1.0.0';

export interface EndpointsEnv {
  def: AnyServiceDefinition;
  nc: NatsConnection;
  db: ServiceDb;
  log: Logger;
  /** The partition this process runs: its queries are served as `<service>-p<i>`. */
  partitioned?: PartitionOf;
  /** Why the service is not ready (empty when it is): what /readyz says. */
  notReady?: () => string[];
}

const codec = JSONCodec();

/**
 * Serves the service's queries as a NATS micro service named after it (`nats micro ls`):
 * `jetsaga.<service>.status` and `.steps` for every service, `.sagas` for a service that owns
 * sagas and `.sides` for one that declares its side (`queries` in its definition). Requests
 * and responses are the versioned schemas of `@jetsaga/events` (queries.ts). The replies go to
 * the requester's inbox (the broker allows a service those through `allow_responses`).
 * Never fails the service: a micro service that cannot start or stops is logged.
 */
export async function startEndpoints(env: EndpointsEnv): Promise<Service | null> {
  const { def, nc, db, log } = env;
  const partition = env.partitioned?.partition;
  const name = partition ? partitionName(def.name, partition.index) : def.name;
  const queries = def.queries ?? {};
  const served = ['status', 'steps', ...(queries.sagas ? ['sagas'] : []), ...(queries.sides ? ['sides'] : [])];
  try {
    const service = await nc.services.add({
      name,
      version: ENDPOINTS_VERSION,
      description: `jetsaga service ${name}: status, step log${queries.sagas ? ', sagas' : ''}${queries.sides ? ', sides' : ''}`,
      metadata: { [QUERIES_METADATA_KEY]: served.join(','), ...(partition ? { [PARTITION_METADATA_KEY]: formatPartition(partition) } : {}) },
    });
    const startedAt = new Date().toISOString();
    const group = service.addGroup(`jetsaga.${name}`);
    const add = <Req extends z.ZodType, Res extends z.ZodType>(q: QueryDef<string, Req, Res>, answer: (request: z.infer<Req>) => Promise<z.input<Res>> | z.input<Res>) => {
      group.addEndpoint(q.name, {
        subject: q.name,
        metadata: { version: String(q.version) },
        handler: (err, msg) => {
          if (err) return log.warn({ err, endpoint: q.name }, 'micro endpoint stopped');
          void respond(msg, q, answer, log);
        },
      });
    };
    add(statusQuery, async () => ({
      version: 1 as const,
      service: name,
      instance: service.info().id,
      startedAt,
      at: new Date().toISOString(),
      ready: (env.notReady?.() ?? []).length === 0,
      notReady: env.notReady?.() ?? [],
      ...readLocalStatus(db, Date.now()),
      ...(await brokerSide(nc, def, env.partitioned)),
    }));
    add(stepsQuery, (r) => ({ version: 1 as const, service: name, sagaId: r.sagaId, steps: readSteps(db, r.sagaId, r.limit) }));
    if (queries.sagas) add(sagasQuery, (r) => ({ version: 1 as const, service: name, ...queries.sagas!(db, r, new Date()) }));
    if (queries.sides) add(sidesQuery, (r) => ({ version: 1 as const, service: name, ...queries.sides!(db, r), problems: queries.problems?.(db) ?? [] }));
    void service.stopped.then((err) => {
      // A connection drained at shutdown ends the subscriptions too: nothing to say then.
      if (err && !nc.isDraining() && !nc.isClosed()) log.warn({ err }, 'micro service stopped: the queries (jetsaga status, trace, sagas, console) get no answer from this service');
    });
    log.debug({ subjects: served.map((q) => querySubject(name, q)) }, 'queries served');
    return service;
  } catch (err) {
    log.warn({ err }, 'cannot serve the queries (NATS micro service)');
    return null;
  }
}

async function respond<Req extends z.ZodType, Res extends z.ZodType>(
  msg: ServiceMsg,
  q: QueryDef<string, Req, Res>,
  answer: (request: z.infer<Req>) => Promise<z.input<Res>> | z.input<Res>,
  log: Logger,
): Promise<void> {
  // Answers go to a requester's inbox, never to a subject a request names (the broker refuses it too).
  if (!msg.reply?.startsWith('_INBOX')) return;
  let body: unknown;
  try {
    body = msg.data.length === 0 ? { version: q.version } : msg.json();
  } catch {
    msg.respondError(400, 'the request is not JSON');
    return;
  }
  const version = (body as { version?: unknown })?.version;
  if (version !== q.version) {
    msg.respondError(400, `${q.name}: version ${JSON.stringify(version)} is not served (this service answers version ${q.version})`);
    return;
  }
  const request = q.request.safeParse(body);
  if (!request.success) {
    msg.respondError(400, `${q.name}: ${request.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ')}`);
    return;
  }
  try {
    const response = q.response.parse(await answer(request.data));
    msg.respond(codec.encode(response));
  } catch (err) {
    log.warn({ err, query: q.name }, 'query failed');
    msg.respondError(500, `${q.name}: ${(err as Error).message}`.slice(0, 500));
  }
}

/** What the broker says of the service: its consumers' lag, the dead letters it produced. */
async function brokerSide(nc: NatsConnection, def: AnyServiceDefinition, partitioned: PartitionOf | undefined) {
  const consumers: { consumer: string; stream: string; pending: number; ackPending: number; redelivered: number }[] = [];
  let consumersError: string | null = null;
  let deadLetters: { count: number; byType: Record<string, number> } | null = null;
  const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the broker did not answer in 2 s')), 2000).unref())]);
  try {
    const jsm = await timeout(nc.jetstreamManager({ checkAPI: false }));
    await timeout(
      Promise.all(
        serviceSubscriptions(def, partitioned).map(async ({ stream, durable }) => {
          try {
            const info = await jsm.consumers.info(stream, durable);
            consumers.push({ consumer: durable, stream, pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered });
          } catch (err) {
            consumersError ??= `${durable}: ${(err as Error).message}`;
          }
        }),
      ),
    );
    consumers.sort((a, b) => a.consumer.localeCompare(b.consumer));
    deadLetters = await timeout(deadLetterCounts(jsm, def.name));
  } catch (err) {
    consumersError ??= (err as Error).message;
  }
  return { consumers, consumersError, deadLetters };
}
