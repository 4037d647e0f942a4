import { parseInstanceName } from '@jetsaga/events';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { bankService } from '@jetsaga/bank';
import { customerService } from '@jetsaga/customer';
import { inventoryService } from '@jetsaga/inventory';
import { loyaltyService } from '@jetsaga/loyalty';
import { notificationService } from '@jetsaga/notification';
import { orderService } from '@jetsaga/order';
import { paymentService } from '@jetsaga/payment';
import { transferService } from '@jetsaga/transfer';
import { allServices } from './paths.js';

const runOnce: Record<string, AnyServiceDefinition> = {
  order: orderService,
  inventory: inventoryService,
  payment: paymentService,
  loyalty: loyaltyService,
  notification: notificationService,
  transfer: transferService,
  customer: customerService,
};

/** The definition a process name runs: a service's, or an instance's (`bank-a`: bank `a`); undefined for an unknown name. */
export function serviceDefinition(name: string): AnyServiceDefinition | undefined {
  const instance = parseInstanceName(name);
  if (instance?.kind === 'bank') return bankService(instance.id);
  return runOnce[name];
}

/**
 * Every service's definition, by name (one per bank of JETSAGA_BANKS): what the stack derives
 * identities and permissions from.
 */
export const serviceDefinitions: Record<string, AnyServiceDefinition> = Object.fromEntries(allServices.map((name) => [name, serviceDefinition(name)!]));
