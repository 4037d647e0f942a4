import { type Command, InvalidArgumentError } from 'commander';
import { type OrderItem, sagaFilter } from '@jetsaga/events';
import { sendCommand } from '@jetsaga/messaging/ops';
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

/** Publishes a command that starts or continues a saga, then follows it unless told not to. */
async function sendAndFollow(
  options: GlobalOptions & { wait: boolean; timeout: string },
  orderId: string,
  send: (js: ReturnType<import('nats').NatsConnection['jetstream']>) => Promise<unknown>,
  accepted: string,
): Promise<void> {
  await withNats(options, async (nc) => {
    const watch = options.wait ? new SagaWatch(nc, sagaFilter(orderId)) : null;
    watch?.track(orderId);
    await send(nc.jetstream());
    console.log(accepted);
    if (!watch) return;
    const finished = await watch.waitAll(Number(options.timeout));
    watch.close();
    console.log(formatSagaTable(watch.all()));
    if (!finished) {
      console.error(`saga ${orderId} not finished after ${options.timeout} ms (are the services running?)`);
      process.exitCode = 1;
    }
  });
}

export function registerOrder(program: Command): void {
  const order = program.command('order').description('order commands');
  order
    .command('refund <orderId>')
    .description('refund a CONFIRMED order (cmd.order.RequestRefund) and, unless --no-wait, follow it')
    .option('-r, --reason <text>', 'why', 'customer request')
    .option('--no-wait', 'return once the command is accepted')
    .option('--timeout <ms>', 'how long to follow the saga', '15000')
    .action(async (orderId: string, options: { reason: string; wait: boolean; timeout: string }, cmd: Command) => {
      await sendAndFollow(
        { ...cmd.optsWithGlobals<GlobalOptions>(), ...options },
        orderId,
        (js) => sendCommand(js, 'RequestRefund', { orderId, reason: options.reason }),
        `RequestRefund ${orderId} accepted; its events: evt.*.*.${orderId}`,
      );
    });
  order
    .command('place')
    .description('place an order (cmd.order.PlaceOrder) and, unless --no-wait, follow its saga')
    .requiredOption('-c, --customer <id>', 'customer id')
    .requiredOption('-i, --item <sku:qty:price>', 'an item, repeatable (unit price in minor units)', parseItem)
    .option('--id <orderId>', 'order id (default: a new one); re-sending the same id places nothing new')
    .option('--no-wait', 'return once the command is accepted')
    .option('--timeout <ms>', 'how long to follow the saga', '15000')
    .action(async (options: PlaceOptions, cmd: Command) => {
      const orderId = options.id ?? `o-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
      await sendAndFollow(
        { ...cmd.optsWithGlobals<GlobalOptions>(), ...options },
        orderId,
        (js) => sendCommand(js, 'PlaceOrder', { orderId, customerId: options.customer, items: options.item }),
        `PlaceOrder ${orderId} accepted; its events: evt.*.*.${orderId}`,
      );
    });
}
