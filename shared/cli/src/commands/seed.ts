import type { Command } from 'commander';
import { sendCommand } from '@jetsaga/messaging/ops';
import { output, wholeNumber } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';

export function registerSeed(program: Command): void {
  program
    .command('stock')
    .description('inventory commands')
    .command('set <sku> <quantity>')
    .description('set the quantity of a sku available for new orders (cmd.inventory.SetStock)')
    .addHelpText('after', '\nExamples:\n  $ jetsaga stock set sku-1 10\n  $ jetsaga stock set sku-1 0 --json')
    .action(async (sku: string, quantity: string, _o, cmd: Command) => {
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const { envelope } = await sendCommand(nc.jetstream(), 'SetStock', { sku, quantity: wholeNumber(quantity, 0) });
        output(cmd, { type: envelope.type, id: envelope.id, data: envelope.data }, () => `SetStock sent (id ${envelope.id}): ${sku} = ${quantity}`);
      });
    });

  program
    .command('price')
    .description('inventory price commands')
    .command('set <sku> <unitPrice>')
    .description('set the unit price of a sku, in minor units: 1500 = 15.00 (cmd.inventory.SetPrice); a sku with no price is not for sale')
    .addHelpText('after', '\nExamples:\n  $ jetsaga price set sku-1 1500')
    .action(async (sku: string, unitPrice: string, _o, cmd: Command) => {
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const { envelope } = await sendCommand(nc.jetstream(), 'SetPrice', { sku, unitPrice: wholeNumber(unitPrice, 0) });
        output(cmd, { type: envelope.type, id: envelope.id, data: envelope.data }, () => `SetPrice sent (id ${envelope.id}): ${sku} at ${unitPrice}`);
      });
    });

  program
    .command('wallet')
    .description('payment commands')
    .command('credit <customer> <amount>')
    .description("add money to a customer's wallet, in minor units: 5000 = 50.00 (cmd.payment.CreditWallet)")
    .addHelpText('after', '\nExamples:\n  $ jetsaga wallet credit c1 5000')
    .action(async (customerId: string, amount: string, _o, cmd: Command) => {
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const { envelope } = await sendCommand(nc.jetstream(), 'CreditWallet', { customerId, amount: wholeNumber(amount, 0) });
        output(cmd, { type: envelope.type, id: envelope.id, data: envelope.data }, () => `CreditWallet sent (id ${envelope.id}): ${customerId} += ${amount}`);
      });
    });
}
