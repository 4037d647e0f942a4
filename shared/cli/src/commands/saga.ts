import type { Command } from 'commander';
import { tokenId } from '@jetsaga/events';
import { cancelSaga } from '@jetsaga/messaging/ops';
import { EXIT, examples, output, UsageError } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';

export function registerSaga(program: Command): void {
  const saga = program.command('saga').description('intervene in one saga');
  const cancel = saga
    .command('cancel <sagaId>')
    .description(
      "tell the saga's owner to cancel it (cmd.order.CancelOrder): a saga not over yet is cancelled (reason `manual`) and every participant compensates as for a timeout; one that is over is refused with the reason (exit 1)",
    )
    .requiredOption('-r, --reason <text>', 'why (kept in the OrderCancelled event)')
    .option('--timeout <ms>', "how long to wait for the owner's answer", '10000')
    .action(async (sagaId: string, options: { reason: string; timeout: string }, cmd: Command) => {
      if (!tokenId.safeParse(sagaId).success) throw new UsageError(`"${sagaId}" is not a saga id (1-64 of A-Z a-z 0-9 _ -)`);
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const result = await cancelSaga(nc, sagaId, options.reason, { timeoutMs: Number(options.timeout) });
        output(cmd, result, (r) =>
          r.outcome === 'cancelled'
            ? `saga ${sagaId} cancelled (OrderCancelled, reason manual): its participants compensate; follow with \`jetsaga trace ${sagaId}\``
            : r.outcome === 'refused'
              ? `refused: saga ${sagaId} was not cancelled (${r.reason}${(r.event?.data as { status?: string } | undefined)?.status ? `, it is ${(r.event!.data as { status: string }).status}` : ''})`
              : `no answer from the owner within ${options.timeout} ms (is order running?); the command stays queued`,
        );
        if (result.outcome !== 'cancelled') process.exitCode = EXIT.failure;
      });
    });
  examples(cancel, ['jetsaga saga cancel o-42 --reason "customer called, stuck in payment"', 'jetsaga saga cancel o-42 -r "duplicate" --json']);
}
