import type { Command } from 'commander';
import { type AccountRef, instanceId, tokenId } from '@jetsaga/events';
import { sendCommand } from '@jetsaga/messaging/ops';
import { UsageError, wholeNumber } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';
import { newSagaId, sendAndFollow } from '../follow.js';

/** `a:alice`: bank `a` (the service bank-a), account `alice`. */
export function parseAccount(value: string): AccountRef {
  const [bank, accountId, ...rest] = value.split(':');
  if (rest.length > 0 || !instanceId.safeParse(bank).success || !tokenId.safeParse(accountId).success) {
    throw new UsageError(`"${value}" is not bank:account (e.g. a:alice; a bank id is 1-16 of a-z 0-9)`);
  }
  return { bank: bank!, accountId: accountId! };
}

/** A command to a bank that is not running (not in JETSAGA_BANKS): no stream takes its subject. */
function explainUnknownBank(err: unknown, bank: string): never {
  if (/503|no responders/i.test((err as Error)?.message ?? '')) {
    throw new Error(`no stream takes cmd.bank-${bank}.Deposit: is bank "${bank}" among JETSAGA_BANKS (and provisioned)?`);
  }
  throw err;
}

export function registerTransfer(program: Command): void {
  program
    .command('bank')
    .description('bank commands (one bank-<id> service per bank of JETSAGA_BANKS)')
    .command('deposit <bank> <account> <amount>')
    .description('add money to an account of a bank, in minor units: 5000 = 50.00 (cmd.bank-<bank>.Deposit); the first deposit opens the account')
    .action(async (bank: string, accountId: string, amount: string, _o, cmd: Command) => {
      const account = parseAccount(`${bank}:${accountId}`);
      const minor = wholeNumber(amount, 1);
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const { envelope } = await sendCommand(nc.jetstream(), 'Deposit', { accountId: account.accountId, amount: minor }, { to: `bank-${account.bank}` }).catch((err: unknown) =>
          explainUnknownBank(err, account.bank),
        );
        console.log(`Deposit sent to bank-${account.bank} (id ${envelope.id}): ${account.accountId} += ${amount}`);
      });
    });

  program
    .command('transfer <from> <to> <amount>')
    .description('move money between two accounts, at the same bank or two (cmd.transfer.RequestTransfer), and unless --no-wait follow the saga')
    .option('--id <transferId>', 'transfer id (default: a new one); re-sending the same id starts nothing new')
    .option('--no-wait', 'return once the command is accepted')
    .option('--timeout <ms>', 'how long to follow the saga (longer than the transfer deadline, JETSAGA_TRANSFER_DEADLINE_MS, to see a timeout)', '40000')
    .addHelpText('after', '\nExamples:\n  jetsaga bank deposit a alice 5000\n  jetsaga transfer a:alice b:bob 2500      # bank a to bank b, 25.00\n  jetsaga transfer a:alice a:carol 100     # within bank a')
    .action(async (from: string, to: string, amount: string, options: { id?: string; wait: boolean; timeout: string }, cmd: Command) => {
      const transferId = options.id ?? newSagaId('t');
      const data = { transferId, from: parseAccount(from), to: parseAccount(to), amount: wholeNumber(amount, 1) };
      await sendAndFollow(
        { ...cmd.optsWithGlobals<GlobalOptions>(), ...options },
        transferId,
        (js) => sendCommand(js, 'RequestTransfer', data),
        `RequestTransfer ${transferId} accepted; its events: evt.*.*.${transferId}.>`,
      );
    });

  program
    .command('customer')
    .description('customer commands')
    .command('register <customerId> <email>')
    .description('register a customer (cmd.customer.RegisterCustomer) and, unless --no-wait, follow the welcome (points, notice)')
    .option('--no-wait', 'return once the command is accepted')
    .option('--timeout <ms>', 'how long to follow the saga', '15000')
    .action(async (customerId: string, email: string, options: { wait: boolean; timeout: string }, cmd: Command) => {
      await sendAndFollow(
        { ...cmd.optsWithGlobals<GlobalOptions>(), ...options },
        customerId,
        (js) => sendCommand(js, 'RegisterCustomer', { customerId, email }),
        `RegisterCustomer ${customerId} accepted; its events: evt.*.*.${customerId}.>`,
      );
    });
}
