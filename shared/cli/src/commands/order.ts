import { type Command, InvalidArgumentError } from 'commander';
import { type OrderItem, sagaFilter } from '@jetsaga/events';
import { sendCommand } from '@jetsaga/messaging';
import { type GlobalOptions, withNats } from '../connection.js';
import { formatSagaTable } from '../format.js';
import { SagaWatch } from '../saga-watch.js';

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
  program
    .command('order')
    .description('order commands')
    .command('place')
    .description('place an order (cmd.order.PlaceOrder) and, unless --no-wait, follow its saga')
    .requiredOption('-c, --customer <id>', 'customer id')
    .requiredOption('-i, --item <sku:qty:price>', 'an item, repeatable (unit price in minor units)', parseItem)
    .option('--id <orderId>', 'order id (default: a new one); re-sending the same id places nothing new')
    .option('--no-wait', 'return once the command is accepted')
    .option('--timeout <ms>', 'how long to follow the saga', '15000')
    .action(async (options: PlaceOptions, cmd: Command) => {
      const orderId = options.id ?? `o-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const watch = options.wait ? new SagaWatch(nc, sagaFilter(orderId)) : null;
        watch?.track(orderId);
        await sendCommand(nc.jetstream(), 'PlaceOrder', { orderId, customerId: options.customer, items: options.item });
        console.log(`PlaceOrder ${orderId} accepted; its events: evt.*.*.${orderId}`);
        if (!watch) return;
        const finished = await watch.waitAll(Number(options.timeout));
        watch.close();
        console.log(formatSagaTable(watch.all()));
        if (!finished) {
          console.error(`saga ${orderId} not finished after ${options.timeout} ms (are the services running?)`);
          process.exitCode = 1;
        }
      });
    });
}
