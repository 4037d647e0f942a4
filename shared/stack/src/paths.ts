import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { instanceName, parseInstanceName, parsePartitionName, serviceKindOf } from '@jetsaga/events';
import { instanceIdVariable, streamSettingsFromEnv } from '@jetsaga/messaging/ops';

/** The repository root (this file is shared/stack/src/paths.ts). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The order saga's services: what the tests start unless they say otherwise. */
export const orderSagaServices = ['order', 'inventory', 'payment', 'loyalty', 'notification'] as const;

/** One `bank-<id>` per bank of JETSAGA_BANKS (default a,b). */
export function bankServices(env: NodeJS.ProcessEnv = process.env): string[] {
  return streamSettingsFromEnv(env).instances.bank.map((id) => instanceName('bank', id));
}

/**
 * Every service `npm start` and the demo run: the order saga's, transfer, customer, and a bank
 * per bank of this process's JETSAGA_BANKS (`bank-a`, `bank-b`), in the order of their
 * metrics ports (JETSAGA_METRICS_BASE_PORT).
 */
export const allServices: readonly string[] = [...orderSagaServices, 'transfer', 'customer', ...bankServices()];
export type ServiceId = string;

/** The folder under services/ a process name runs: `bank` for `bank-a`, `order` for `order` and `order-p1`. */
export function serviceFolder(service: string): string {
  return serviceKindOf(service) ?? parsePartitionName(service)?.service ?? service;
}

export function serviceEntry(service: string): string {
  return join(repoRoot, 'services', serviceFolder(service), 'src', 'main.ts');
}

/** What an instance's process needs to know which it is: `JETSAGA_BANK_ID=a` for `bank-a`; nothing for the others. */
export function instanceEnv(service: string): Record<string, string> {
  const instance = parseInstanceName(service);
  return instance ? { [instanceIdVariable(instance.kind)]: instance.id } : {};
}

/** The tsx loader, so a child node runs the services' TypeScript as it is. */
export const tsxLoader = import.meta.resolve('tsx');
