import type { Command } from 'commander';
import type { OrderItem } from '@jetsaga/events';
import { connectionOptions, sendCommand } from '@jetsaga/messaging/ops';
import { formatSagaTable } from '../format.js';
import { startStack, stopOnSignal } from '../run-stack.js';
import { type SagaProgress, SagaWatch } from '../saga-watch.js';
import type { GlobalOptions } from '../connection.js';

interface DemoOrder {
  flow: 'happy' | 'no stock' | 'no funds';
  customer: 'alice' | 'bob';
  items: OrderItem[];
}

const demoOrders: DemoOrder[] = [
  { flow: 'happy', customer: 'alice', items: [{ sku: 'apple', quantity: 2, unitPrice: 1500 }] },
  { flow: 'no stock', customer: 'alice', items: [{ sku: 'apple', quantity: 1, unitPrice: 1500 }, { sku: 'pear', quantity: 5, unitPrice: 700 }] },
  { flow: 'no funds', customer: 'bob', items: [{ sku: 'apple', quantity: 1, unitPrice: 1500 }] },
  { flow: 'happy', customer: 'alice', items: [{ sku: 'apple', quantity: 1, unitPrice: 1500 }, { sku: 'pear', quantity: 1, unitPrice: 700 }] },
  { flow: 'happy', customer: 'bob', items: [{ sku: 'pear', quantity: 1, unitPrice: 700 }] },
];

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start everything, seed stock, prices, wallets and bank accounts, run the order flows (happy, no stock, no funds, refund), two transfers (one completes, one fails and is compensated) and a registration, print the sagas')
    .option('--timeout <ms>', 'how long to wait for the sagas', '30000')
    .option('--keep', 'keep running after the demo, until Ctrl-C')
    .addHelpText('after', '\nExamples:\n  $ jetsaga demo\n  $ jetsaga demo --keep          # then open `jetsaga console`')
    .action(async (options: { timeout: string; keep?: boolean }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      // with --json, progress goes to stderr and stdout gets the sagas as JSON
      const say = global.json ? console.error : console.log;
      const { stack, stop } = await startStack({ ...global, logLevel: process.env.LOG_LEVEL ?? 'warn' });
      stopOnSignal(stop);
      const { connect } = await import('nats');
      const nc = await connect(connectionOptions(stack.access('operator')));
      const js = nc.jetstream();
      // Fresh customers and order ids per run, so a reused data dir gives the same outcomes.
      const run = Date.now().toString(36);
      const customer = (name: string) => `${name}-${run}`;
      say(`jetsaga demo: NATS ${stack.natsUrl}, data in ${stack.dataDir}`);
      say('seeding: apple = 10 at 15.00, pear = 2 at 7.00; alice has 100.00, bob has 10.00');
      await sendCommand(js, 'SetStock', { sku: 'apple', quantity: 10 });
      await sendCommand(js, 'SetStock', { sku: 'pear', quantity: 2 });
      await sendCommand(js, 'SetPrice', { sku: 'apple', unitPrice: 1500 });
      await sendCommand(js, 'SetPrice', { sku: 'pear', unitPrice: 700 });
      await sendCommand(js, 'CreditWallet', { customerId: customer('alice'), amount: 10_000 });
      await sendCommand(js, 'CreditWallet', { customerId: customer('bob'), amount: 1_000 });
      say('seeding: at bank a alice has 100.00; at bank b bob has 10.00');
      await sendCommand(js, 'Deposit', { accountId: customer('alice'), amount: 10_000 }, { to: 'bank-a' });
      await sendCommand(js, 'Deposit', { accountId: customer('bob'), amount: 1_000 }, { to: 'bank-b' });

      const watch = new SagaWatch(nc);
      const labels = new Map<SagaProgress, string>();
      for (const [i, order] of demoOrders.entries()) {
        const orderId = `demo-${run}-${i + 1}`;
        labels.set(watch.track(orderId), order.flow);
        await sendCommand(js, 'PlaceOrder', { orderId, customerId: customer(order.customer), items: order.items });
        say(`placed ${orderId} (${order.flow}) for ${order.customer}`);
      }
      // A transfer that completes, one that fails (no such account at bank b) and is compensated
      // (bank a releases its freeze), and a registration (welcome points, a welcome notice).
      for (const [i, { flow, to }] of [
        { flow: 'transfer', to: 'bob' },
        { flow: 'fails', to: 'nobody' },
      ].entries()) {
        const transferId = `demo-${run}-t${i + 1}`;
        labels.set(watch.track(transferId), flow);
        await sendCommand(js, 'RequestTransfer', { transferId, from: { bank: 'a', accountId: customer('alice') }, to: { bank: 'b', accountId: customer(to) }, amount: 2_500 });
        say(`transfer ${transferId}: 25.00 from a:alice to b:${to} (${flow})`);
      }
      labels.set(watch.track(customer('carol')), 'register');
      await sendCommand(js, 'RegisterCustomer', { customerId: customer('carol'), email: 'carol@example.com' });
      say(`registered ${customer('carol')}`);
      let finished = await watch.waitAll(Number(options.timeout), () => showProgress(watch));
      if (finished) {
        const refunded = `demo-${run}-1`;
        labels.set(watch.track(refunded), 'refund');
        await sendCommand(js, 'RequestRefund', { orderId: refunded, reason: 'changed my mind' });
        say(`${process.stdout.isTTY ? '\n' : ''}refund requested for ${refunded}`);
        finished = await watch.waitAll(Number(options.timeout), () => showProgress(watch));
      }
      if (process.stdout.isTTY) process.stdout.write('\n');
      if (global.json) console.log(JSON.stringify(watch.all().map((p) => ({ sagaId: p.sagaId, flow: labels.get(p) ?? null, events: p.events.map((e) => e.type), ms: p.finishedAt ? p.finishedAt - p.startedAt : null })), null, 2));
      else console.log(formatSagaTable(watch.all(), labels));
      watch.close();
      await nc.close();
      if (!finished) console.error(`some sagas did not finish within ${options.timeout} ms`);
      if (options.keep) {
        say('still running: try `npx jetsaga order place --customer c1 --item apple:1:1500` or `npx jetsaga transfer a:alice-' + run + ' b:bob-' + run + ' 100`; Ctrl-C stops.');
        return;
      }
      await stop();
      process.exit(finished ? 0 : 1);
    });
}

function showProgress(watch: SagaWatch): void {
  const all = watch.all();
  const done = all.filter((s) => s.finishedAt).length;
  const line = `sagas finished: ${done}/${all.length}`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
  else if (done === all.length) console.log(line);
}
