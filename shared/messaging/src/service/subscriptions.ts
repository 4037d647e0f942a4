import { commandFilter, commandSubject, eventFilter, eventSubject, isInstanced, latest, type Partition, partitionName, serviceKindOf } from '@jetsaga/events';
import { KitError } from '../errors.js';
import { STREAMS } from '../nats/provision.js';
import type { PartitionBy } from './define.js';

export interface Subscription {
  type: string;
  stream: string;
  durable: string;
  filterSubject: string;
}

/** The types a service takes: its messages, and when it runs as partitions its partitionMessages too. */
export function subscribedTypes(def: { messages: readonly string[]; partitionMessages?: readonly string[] }, partitioned: boolean): readonly string[] {
  return partitioned && def.partitionMessages ? [...def.messages, ...def.partitionMessages] : def.messages;
}

/** Every durable consumer of a service (or of one partition of it): its messages, and a partition's partitionMessages too. */
export function serviceSubscriptions(def: { name: string; messages: readonly string[]; partitionMessages?: readonly string[] }, partitioned?: PartitionOf): Subscription[] {
  return subscriptionsOf(def.name, subscribedTypes(def, !!partitioned), partitioned);
}

/** A partition of a service, and how it takes each message type (docs/partitions.md). */
export interface PartitionOf {
  partition: Partition;
  by: PartitionBy | ((type: string) => PartitionBy);
}

/**
 * One durable consumer per handled type (nats-server 2.9 has no multi-filter consumers), named
 * after the service's instance (`bank-a-Deposit`) or partition (`order-p1-PlaceOrder`). A
 * command is taken on the instance's own subject (`cmd.bank-a.Deposit.>`); an event of a
 * service run once per instance, from every instance (`evt.*.FundsFrozen.>`: the broker lets
 * each publish only under its own name, and decoding checks the producer is one of them). A
 * partition takes only the subjects the broker mapped to it (docs/partitions.md).
 */
export function subscriptionsOf(service: string, types: readonly string[], partitioned?: PartitionOf): Subscription[] {
  const kind = serviceKindOf(service);
  if (!kind) throw new KitError('config', `"${service}" is not a service name (a service, or <kind>-<id> for a service run once per instance)`);
  return types.map((type) => {
    const def = latest(type);
    if (!def) throw new KitError('config', `${service} subscribes to unknown message type "${type}"`);
    if (def.kind === 'command' && def.owner !== kind) {
      throw new KitError('config', `${service} cannot handle ${type}: that command is addressed to ${def.owner}`);
    }
    const isCommand = def.kind === 'command';
    const producer = isInstanced(def.owner) ? '*' : def.owner;
    return {
      type,
      stream: isCommand ? STREAMS.commands : STREAMS.events,
      durable: `${partitioned ? partitionName(service, partitioned.partition.index) : service}-${type}`,
      filterSubject: !partitioned
        ? isCommand
          ? commandFilter(service, type)
          : eventFilter(producer, type)
        : partitionFilter(isCommand ? commandSubject(service, type, '*') : eventSubject(producer, type, '*', '*'), isCommand, partitioned.partition, byOf(partitioned, type)),
    };
  });
}

/** How a partition takes messages of `type`. */
export function byOf(partitioned: PartitionOf, type: string): PartitionBy {
  return typeof partitioned.by === 'function' ? partitioned.by(type) : partitioned.by;
}

/** The subject a partition takes: the broker appended one partition token to a command, two to an event (saga's, key's). */
function partitionFilter(unmapped: string, isCommand: boolean, partition: Partition, by: PartitionBy): string {
  const i = String(partition.index);
  if (by === 'all') {
    // COMMANDS is a work queue: two consumers may not take the same subject.
    if (isCommand) throw new KitError('config', `${unmapped}: a command goes to one partition (by its key), not to all`);
    return `${unmapped}.*.*`;
  }
  if (isCommand) return `${unmapped}.${i}`;
  return by === 'saga' ? `${unmapped}.${i}.*` : `${unmapped}.*.${i}`;
}
