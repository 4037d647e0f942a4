import { commandSubject, eventFilter, isInstanced, latest, serviceKindOf } from '@jetsaga/events';
import { KitError } from '../errors.js';
import { STREAMS } from '../nats/provision.js';

export interface Subscription {
  type: string;
  stream: string;
  durable: string;
  filterSubject: string;
}

/**
 * One durable consumer per handled type (nats-server 2.9 has no multi-filter consumers), named
 * after the service's instance (`bank-a-Deposit`). A command is taken on the instance's own
 * subject (`cmd.bank-a.Deposit`); an event of a service run once per instance, from every
 * instance (`evt.*.FundsFrozen.*`: the broker lets each publish only under its own name, and
 * decoding checks the producer is one of them).
 */
export function subscriptionsOf(service: string, types: readonly string[]): Subscription[] {
  const kind = serviceKindOf(service);
  if (!kind) throw new KitError('config', `"${service}" is not a service name (a service, or <kind>-<id> for a service run once per instance)`);
  return types.map((type) => {
    const def = latest(type);
    if (!def) throw new KitError('config', `${service} subscribes to unknown message type "${type}"`);
    if (def.kind === 'command' && def.owner !== kind) {
      throw new KitError('config', `${service} cannot handle ${type}: that command is addressed to ${def.owner}`);
    }
    const isCommand = def.kind === 'command';
    return {
      type,
      stream: isCommand ? STREAMS.commands : STREAMS.events,
      durable: `${service}-${type}`,
      filterSubject: isCommand ? commandSubject(service, type) : eventFilter(isInstanced(def.owner) ? '*' : def.owner, type),
    };
  });
}
