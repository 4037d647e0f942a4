import { type Command, InvalidArgumentError } from 'commander';
import { sendCommand } from '@jetsaga/messaging/ops';
import { type GlobalOptions, withNats } from '../connection.js';

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a whole number >= 0`);
  return n;
}

export function registerSeed(program: Command): void {
  program
    .command('stock')
    .description('inventory commands')
    .command('set <sku> <quantity>')
    .description('set the quantity of a sku available for new orders (cmd.inventory.SetStock)')
    .action(async (sku: string, quantity: string, _o, cmd: Command) => {
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const { envelope } = await sendCommand(nc.jetstream(), 'SetStock', { sku, quantity: nonNegativeInt(quantity) });
        console.log(`SetStock sent (id ${envelope.id}): ${sku} = ${quantity}`);
      });
    });

  program
    .command('price')
    .description('inventory price commands')
    .command('set <sku> <unitPrice>')
    .description('set the unit price of a sku, in minor units: 1500 = 15.00 (cmd.inventory.SetPrice); a sku with no price is not for sale')
    .action(async (sku: string, unitPrice: string, _o, cmd: Command) => {
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const { envelope } = await sendCommand(nc.jetstream(), 'SetPrice', { sku, unitPrice: nonNegativeInt(unitPrice) });
        console.log(`SetPrice sent (id ${envelope.id}): ${sku} at ${unitPrice}`);
      });
    });

  program
    .command('wallet')
    .description('payment commands')
    .command('credit <customer> <amount>')
    .description("add money to a customer's wallet, in minor units: 5000 = 50.00 (cmd.payment.CreditWallet)")
    .action(async (customerId: string, amount: string, _o, cmd: Command) => {
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const { envelope } = await sendCommand(nc.jetstream(), 'CreditWallet', { customerId, amount: nonNegativeInt(amount) });
        console.log(`CreditWallet sent (id ${envelope.id}): ${customerId} += ${amount}`);
      });
    });
}
