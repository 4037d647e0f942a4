import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { STREAMS, subscriptionsOf } from '@jetsaga/messaging/ops';

/** What one identity may publish and subscribe to (nats-server `permissions`). */
export interface Permissions {
  publish: string[];
  subscribe: string[];
  /**
   * May answer requests: publish once to the reply subject of a message it received (nats-server
   * `allow_responses`), whoever asked. What a service needs to answer its queries.
   */
  allowResponses?: boolean;
}

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
export function servicePermissions(def: AnyServiceDefinition): Permissions {
  const consumers = subscriptionsOf(def.name, def.messages).flatMap(({ stream, durable }) => [
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ]);
  return {
    publish: [`evt.${def.name}.>`, `dlq.${def.name}.>`, '$JS.API.INFO', ...streamInfo, ...consumers],
    subscribe: [`${inboxPrefixOf(def.name)}.>`, ...microSubjects(def.name)],
    allowResponses: true,
  };
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
 * The operator (the CLI): send commands; read streams (ordered consumers it creates and
 * deletes) and watch events live; re-drive a dead letter to its original subject and drop it. No stream create,
 * update, delete or purge, no acks on the services' consumers.
 */
export function operatorPermissions(identity = 'operator'): Permissions {
  return {
    publish: [
      'cmd.>',
      // a re-drive publishes the dead letter again where it came from
      'evt.>',
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
      // the services' micro endpoints: discovery, and every query they answer
      '$SRV.>',
      'jetsaga.>',
    ],
    // Watching a saga as it happens: a core subscription to evt.*.*.<sagaId>.
    subscribe: [`${inboxPrefixOf(identity)}.>`, 'evt.>'],
  };
}

/**
 * The web console (`jetsaga console`), read-mostly: read the streams and watch events; ask the
 * services' queries; re-drive (to an event's subject: `evt.>`) and drop dead letters; cancel a
 * saga (`cmd.order.CancelOrder`). No other command: it cannot place orders or credit wallets,
 * nor re-drive a dead-lettered command (that is issuing it: the operator does, with the CLI).
 */
export function consolePermissions(identity = 'console'): Permissions {
  return {
    publish: [
      'cmd.order.CancelOrder',
      'evt.>',
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
      '$SRV.PING',
      '$SRV.PING.>',
      '$SRV.INFO',
      '$SRV.INFO.>',
      '$SRV.STATS',
      '$SRV.STATS.>',
      ...readQueries,
    ],
    subscribe: [`${inboxPrefixOf(identity)}.>`, 'evt.>'],
  };
}

/** The admin: provisioning and repairs; everything. Keep its key off the services' hosts. */
export function adminPermissions(): Permissions {
  return { publish: ['>'], subscribe: ['>'] };
}
