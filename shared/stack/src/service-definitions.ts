import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { inventoryService } from '@jetsaga/inventory';
import { loyaltyService } from '@jetsaga/loyalty';
import { notificationService } from '@jetsaga/notification';
import { orderService } from '@jetsaga/order';
import { paymentService } from '@jetsaga/payment';

/** Every service's definition, by name: what the stack derives identities and permissions from. */
export const serviceDefinitions: Record<string, AnyServiceDefinition> = {
  order: orderService,
  inventory: inventoryService,
  payment: paymentService,
  loyalty: loyaltyService,
  notification: notificationService,
};
