import { type Command, InvalidArgumentError } from 'commander';
import type { OrderItem } from '@jetsaga/events';
import { sendCommand } from '@jetsaga/messaging/ops';
import type { GlobalOptions } from '../connection.js';
import { newSagaId, sendAndFollow } from '../follow.js';

/** `sku:quantity:unitPrice`, e.g. `sku-1:2:1500` (unit price in minor units). */
export function parseItem(value: string, previous: OrderItem[] = []): OrderItem[] {
  const match = /^([A-Za-z0-9_-]{1,64}):(\d+):(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`"${value}" is not sku:quantity:unitPrice (e.g. sku-1:2:1500)`);
  return [...previous, { sku: match[1]!, quantity: Number(match[2]), unitPrice: Number(match[3]) }];
}

interface PlaceOptions {
  customer: string;
  item: OrderItem[];
  id?: string;
  wait: boolean;
  timeout: string;
}

export function registerOrder(program: Command): void {
  const order = program.command('order').description('order commands');
  order
    .command('refund <orderId>')
    .description('refund a CONFIRMED order (cmd.order.RequestRefund) and, unless --no-wait, follow it')
    .addHelpText('after', '\nExamples:\n  $ jetsaga order refund o-42 --reason "broken"\n  $ jetsaga order refund o-42 --no-wait')
    .option('-r, --reason <text>', 'why', 'customer request')
    .option('--no-wait', 'return once the command is accepted')
    .option('--timeout <ms>', 'how long to follow the saga', '15000')
    .action(async (orderId: string, options: { reason: string; wait: boolean; timeout: string }, cmd: Command) => {
      await sendAndFollow(
        { ...cmd.optsWithGlobals<GlobalOptions>(), ...options },
        orderId,
        (js) => sendCommand(js, 'RequestRefund', { orderId, reason: options.reason }),
        `RequestRefund ${orderId} accepted; its events: evt.*.*.${orderId}.>`,
      );
    });
  order
    .command('place')
    .description('place an order (cmd.order.PlaceOrder) and, unless --no-wait, follow its saga')
    .addHelpText('after', '\nExamples:\n  $ jetsaga order place --customer c1 --item sku-1:2:1500\n  $ jetsaga order place --customer c1 --item sku-1:1:1500 --item sku-2:1:99 --id my-order-1 --no-wait')
    .requiredOption('-c, --customer <id>', 'customer id')
    .requiredOption('-i, --item <sku:qty:price>', 'an item, repeatable (unit price in minor units)', parseItem)
    .option('--id <orderId>', 'order id (default: a new one); re-sending the same id places nothing new')
    .option('--no-wait', 'return once the command is accepted')
    .option('--timeout <ms>', 'how long to follow the saga', '15000')
    .action(async (options: PlaceOptions, cmd: Command) => {
      const orderId = options.id ?? newSagaId('o');
      await sendAndFollow(
        { ...cmd.optsWithGlobals<GlobalOptions>(), ...options },
        orderId,
        (js) => sendCommand(js, 'PlaceOrder', { orderId, customerId: options.customer, items: options.item }),
        `PlaceOrder ${orderId} accepted; its events: evt.*.*.${orderId}.>`,
      );
    });
}
