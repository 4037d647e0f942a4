import { commandSubject, eventFilter, latest } from '@jetsaga/events';
import { KitError } from '../errors.js';
import { STREAMS } from '../nats/provision.js';

export interface Subscription {
  type: string;
  stream: string;
  durable: string;
  filterSubject: string;
}

/** One durable consumer per handled type (nats-server 2.9 has no multi-filter consumers). */
export function subscriptionsOf(service: string, types: readonly string[]): Subscription[] {
  return types.map((type) => {
    const def = latest(type);
    if (!def) throw new KitError('config', `${service} subscribes to unknown message type "${type}"`);
    if (def.kind === 'command' && def.owner !== service) {
      throw new KitError('config', `${service} cannot handle ${type}: that command is addressed to ${def.owner}`);
    }
    const isCommand = def.kind === 'command';
    return {
      type,
      stream: isCommand ? STREAMS.commands : STREAMS.events,
      durable: `${service}-${type}`,
      filterSubject: isCommand ? commandSubject(service, type) : eventFilter(def.owner, type),
    };
  });
}
