import { partitionNames } from '@jetsaga/events';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { serviceSubscriptions, STREAMS, type Subscription } from '@jetsaga/messaging/ops';

/** What one identity may publish and subscribe to (nats-server `permissions`). */
export interface Permissions {
  publish: string[];
  /** Refused even where `publish` allows it (nats-server `deny`, which wins). */
  publishDeny?: string[];
  subscribe: string[];
}

/** Who may ask the services' queries: their answers go to these identities' inboxes only. */
const requesters = ['operator', 'console', 'admin'];

/** The reply subjects of an identity: nats.js `inboxPrefix`, so no one reads another's replies. */
export function inboxPrefixOf(identity: string): string {
  return `_INBOX_${identity}`;
}

const streamInfo = Object.values(STREAMS).map((s) => `$JS.API.STREAM.INFO.${s}`);

/**
 * A service: its own events and dead letters; for each of its durable consumers, create /
 * info / next and acks; stream info; replies on its own inbox. No stream create, update,
 * delete or purge: `jetsaga provision` (admin) makes the streams.
 */
export function servicePermissions(def: AnyServiceDefinition, partitions = 1): Permissions {
  const consumers = durablesOf(def, partitions).flatMap(({ stream, durable }) => [
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ]);
  // Answers to its queries go to the requesters' inboxes, nowhere else (no `allow_responses`:
  // a requester could name any reply subject, the JetStream API's included).
  const answers = requesters.map((r) => `${inboxPrefixOf(r)}.>`);
  return {
    publish: [`evt.${def.name}.>`, `dlq.${def.name}.>`, '$JS.API.INFO', ...streamInfo, ...consumers, ...answers],
    subscribe: [`${inboxPrefixOf(def.name)}.>`, ...processNames(def, partitions).flatMap(microSubjects)],
  };
}

/** Whether `def` runs as `partitions` processes (a service that cannot split runs as one). */
function isSplit(def: AnyServiceDefinition, partitions: number): boolean {
  return partitions > 1 && def.partitionBy !== undefined;
}

/** The names its processes run as: the service's, or each partition's (`order-p0`, `order-p1`). */
export function processNames(def: AnyServiceDefinition, partitions = 1): string[] {
  return partitionNames(def.name, isSplit(def, partitions) ? partitions : 1);
}

/** Every durable consumer of the service: of each partition when it is split. */
export function durablesOf(def: AnyServiceDefinition, partitions = 1): Subscription[] {
  if (!isSplit(def, partitions)) return serviceSubscriptions(def);
  return Array.from({ length: partitions }, (_, index) => serviceSubscriptions(def, { partition: { index, count: partitions }, by: def.partitionBy! })).flat();
}

/**
 * What a service's NATS micro service listens on: the discovery subjects (`$SRV.PING|INFO|STATS`,
 * for all services, its name, and its instance) and its own queries (`jetsaga.<service>.>`).
 * No other service's: it cannot answer in another's name.
 */
export function microSubjects(service: string): string[] {
  return [...['PING', 'INFO', 'STATS'].flatMap((verb) => [`$SRV.${verb}`, `$SRV.${verb}.${service}`, `$SRV.${verb}.${service}.*`]), `jetsaga.${service}.>`];
}

/** The queries that only read (every service's status and step log, the sagas, the sides). */
const readQueries = ['status', 'steps', 'sagas', 'sides'].map((q) => `jetsaga.*.${q}`);

/**
 * Reading the streams as a tool does: stream info, message gets, and ordered consumers it
 * creates, pulls and deletes, but never one of the services' durables (deny wins): pulling
 * from one without acking would stall a saga, deleting one would make it re-read EVENTS.
 */
function streamReader(services: readonly AnyServiceDefinition[], partitions: number): Pick<Permissions, 'publish' | 'publishDeny'> {
  const durables = services.flatMap((def) => durablesOf(def, partitions));
  return {
    publish: [
      '$JS.API.INFO',
      ...streamInfo,
      `$JS.API.STREAM.MSG.GET.*`,
      `$JS.API.STREAM.MSG.DELETE.${STREAMS.dlq}`,
      '$JS.API.CONSUMER.LIST.*',
      '$JS.API.CONSUMER.NAMES.*',
      '$JS.API.CONSUMER.INFO.*.*',
      '$JS.API.CONSUMER.CREATE.*.*.>',
      '$JS.API.CONSUMER.CREATE.*.*',
      '$JS.API.CONSUMER.MSG.NEXT.*.*',
      '$JS.API.CONSUMER.DELETE.*.*',
    ],
    publishDeny: durables.flatMap(({ stream, durable }) => [
      `$JS.API.CONSUMER.CREATE.${stream}.${durable}`,
      `$JS.API.CONSUMER.CREATE.${stream}.${durable}.>`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
      `$JS.API.CONSUMER.DELETE.${stream}.${durable}`,
    ]),
  };
}

/**
 * The operator (the CLI): send commands; read streams and watch events live; ask every query;
 * re-drive a dead letter to its original subject and drop it. No stream create, update, delete
 * or purge, no pulls or acks on the services' consumers.
 */
export function operatorPermissions(services: readonly AnyServiceDefinition[], identity = 'operator', partitions = 1): Permissions {
  const reader = streamReader(services, partitions);
  return {
    publish: [
      'cmd.>',
      // a re-drive publishes the dead letter again where it came from
      'evt.>',
      ...reader.publish,
      // the services' micro endpoints: discovery, and every query they answer
      '$SRV.>',
      'jetsaga.>',
    ],
    publishDeny: reader.publishDeny,
    // Watching a saga as it happens: a core subscription to evt.*.*.<sagaId>.
    subscribe: [`${inboxPrefixOf(identity)}.>`, 'evt.>'],
  };
}

/**
 * The web console (`jetsaga console`), read-mostly: read the streams and watch events; ask the
 * services' queries; re-drive (to an event's subject: `evt.>`) and drop dead letters; cancel a
 * saga (`cmd.order.CancelOrder.>`: the broker checks the subject after its partition mapping). No other command: it cannot place orders or credit wallets,
 * nor re-drive a dead-lettered command (that is issuing it: the operator does, with the CLI).
 */
export function consolePermissions(services: readonly AnyServiceDefinition[], identity = 'console', partitions = 1): Permissions {
  const reader = streamReader(services, partitions);
  return {
    publish: ['cmd.order.CancelOrder.>', 'evt.>', ...reader.publish, '$SRV.PING', '$SRV.PING.>', '$SRV.INFO', '$SRV.INFO.>', '$SRV.STATS', '$SRV.STATS.>', ...readQueries],
    publishDeny: reader.publishDeny,
    subscribe: [`${inboxPrefixOf(identity)}.>`, 'evt.>'],
  };
}

/** The admin: provisioning and repairs; everything. Keep its key off the services' hosts. */
export function adminPermissions(): Permissions {
  return { publish: ['>'], subscribe: ['>'] };
}
