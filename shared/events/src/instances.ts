import { z } from 'zod';
import { type ServiceName, serviceNames } from './envelope.js';

/**
 * Services run once per instance: one definition, many names. `bank` runs as `bank-a`,
 * `bank-b`, ... The contract names the kind (a command's owner, an event's producer); what is
 * per process names the instance: subjects (`cmd.bank-a.Deposit`, `evt.bank-a.FundsFrozen.<sagaId>`,
 * `dlq.bank-a.<Type>`), durable consumers (`bank-a-Deposit`), the db (`bank-a.db`) and the
 * broker identity (which may publish only `evt.bank-a.>`).
 */
export const instancedServices = ['bank'] as const satisfies readonly ServiceName[];
export type InstancedService = (typeof instancedServices)[number];

/** An instance's id, what follows `<kind>-`: `a` in `bank-a`. */
export const instanceId = z.string().regex(/^[a-z0-9]{1,16}$/, 'must be 1-16 characters of a-z 0-9');

/** `bank-a`: an instance of an instanced service. */
export type InstanceName = `${InstancedService}-${string}`;

/** What a service process runs as: a service run once (`order`), or an instance (`bank-a`). */
export type ServiceInstanceName = Exclude<ServiceName, InstancedService> | InstanceName;

/**
 * The instances of each kind a deployment runs when it does not say otherwise
 * (JETSAGA_BANKS): every process must agree on them, since the COMMANDS stream takes exactly
 * the command subjects of the instances listed.
 */
export const defaultInstances: Readonly<Record<InstancedService, readonly string[]>> = { bank: ['a', 'b'] };

export function isInstanced(kind: string): kind is InstancedService {
  return (instancedServices as readonly string[]).includes(kind);
}

/** `bank-a` for `('bank', 'a')`; throws on an id that is not 1-16 characters of a-z 0-9. */
export function instanceName<K extends InstancedService>(kind: K, id: string): `${K}-${string}` {
  const parsed = instanceId.safeParse(id);
  if (!parsed.success) throw new Error(`${kind} instance id "${id}" ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return `${kind}-${id}`;
}

/** The kind and id of an instance name (`bank-a`), or undefined when it is not one. */
export function parseInstanceName(name: string): { kind: InstancedService; id: string } | undefined {
  const dash = name.indexOf('-');
  if (dash < 0) return undefined;
  const kind = name.slice(0, dash);
  const id = name.slice(dash + 1);
  return isInstanced(kind) && instanceId.safeParse(id).success ? { kind, id } : undefined;
}

/** The service a process name runs: `order` for `order`, `bank` for `bank-a`; undefined for anything else (`bank` alone too). */
export function serviceKindOf(name: string): ServiceName | undefined {
  if ((serviceNames as readonly string[]).includes(name)) return isInstanced(name) ? undefined : (name as ServiceName);
  return parseInstanceName(name)?.kind;
}

/** Whether `name` is a name a service process may run as (`order`, `bank-a`). */
export function isServiceInstanceName(name: string): name is ServiceInstanceName {
  return serviceKindOf(name) !== undefined;
}
