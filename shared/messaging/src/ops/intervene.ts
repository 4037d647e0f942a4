import { type CommandType, decodeMessage, type Envelope, newId, sagaFilter } from '@jetsaga/events';
import type { NatsConnection } from 'nats';
import { sendCommand } from '../outbound/send-command.js';

/** The command that cancels a saga of each owner: who owns sagas and may be told to cancel one. */
export const cancelCommands: Readonly<Record<string, { command: CommandType; cancelled: string; refused: string }>> = {
  order: { command: 'CancelOrder', cancelled: 'OrderCancelled', refused: 'CancelRejected' },
};

export interface CancelOutcome {
  sagaId: string;
  /** The command's envelope id. */
  commandId: string;
  outcome: 'cancelled' | 'refused' | 'no_answer';
  /** The owner's answer (OrderCancelled or CancelRejected), when it came in time. */
  event: Envelope | null;
  /** Why it was refused, in the owner's words (`already_over`, ...). */
  reason: string | null;
}

/**
 * Tells a saga's owner to cancel it (`cmd.order.CancelOrder`): a saga not over yet is cancelled
 * with reason `manual` and every participant compensates as for a timeout; one that is over is
 * refused, with the reason. Waits for the owner's answer (the event caused by the command).
 */
export async function cancelSaga(nc: NatsConnection, sagaId: string, reason: string, options: { owner?: string; timeoutMs?: number; producer?: string } = {}): Promise<CancelOutcome> {
  const owner = options.owner ?? 'order';
  const how = cancelCommands[owner];
  if (!how) throw new Error(`sagas of ${owner} cannot be cancelled (only those of ${Object.keys(cancelCommands).join(', ')})`);
  const sub = nc.subscribe(sagaFilter(sagaId));
  const commandId = newId();
  const answer = new Promise<Envelope | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), options.timeoutMs ?? 10_000);
    void (async () => {
      for await (const m of sub) {
        const decoded = decodeMessage(m.data);
        if (!decoded.ok || decoded.envelope.causationId !== commandId) continue;
        if (decoded.envelope.type === how.cancelled || decoded.envelope.type === how.refused) {
          clearTimeout(timer);
          resolve(decoded.envelope);
          return;
        }
      }
    })();
  });
  try {
    await nc.flush();
    await sendCommand(nc.jetstream(), how.command, { orderId: sagaId, reason } as never, { producer: options.producer ?? 'cli', id: commandId });
    const event = await answer;
    const refusal = event?.type === how.refused ? String((event.data as { reason?: unknown }).reason ?? '') : null;
    return { sagaId, commandId, outcome: !event ? 'no_answer' : refusal !== null ? 'refused' : 'cancelled', event, reason: refusal };
  } finally {
    sub.unsubscribe();
  }
}
