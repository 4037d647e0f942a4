import { eq } from 'drizzle-orm';
import type { TransferFailureReason } from '@jetsaga/events';
import { excluded, placeholder as p, preparedQuery, type ServiceTx } from '@jetsaga/messaging';
import type { Transfer } from './decide.js';
import { type TransferInput, transferIdOf, type TransferState } from './react.js';
import * as schema from './schema.js';

export type TransferTx = ServiceTx<typeof schema>;

const selectTransfer = preparedQuery((tx: TransferTx) => tx.select().from(schema.transfers).where(eq(schema.transfers.transferId, p('transferId'))).prepare());

const upsertTransfer = preparedQuery((tx: TransferTx) =>
  tx
    .insert(schema.transfers)
    .values({
      transferId: p('transferId'),
      fromBank: p('fromBank'),
      fromAccount: p('fromAccount'),
      toBank: p('toBank'),
      toAccount: p('toAccount'),
      amount: p('amount'),
      status: p('status'),
      frozen: p('frozen'),
      creditPrepared: p('creditPrepared'),
      freezeConfirmed: p('freezeConfirmed'),
      creditConfirmed: p('creditConfirmed'),
      failReason: p('failReason'),
      createdAt: p('now'),
      updatedAt: p('now'),
    })
    .onConflictDoUpdate({
      target: schema.transfers.transferId,
      set: {
        status: excluded(schema.transfers.status),
        frozen: excluded(schema.transfers.frozen),
        creditPrepared: excluded(schema.transfers.creditPrepared),
        freezeConfirmed: excluded(schema.transfers.freezeConfirmed),
        creditConfirmed: excluded(schema.transfers.creditConfirmed),
        failReason: excluded(schema.transfers.failReason),
        updatedAt: excluded(schema.transfers.updatedAt),
      },
    })
    .prepare(),
);

export function loadTransfer(tx: TransferTx, transferId: string): Transfer | undefined {
  const r = selectTransfer(tx).get({ transferId });
  return (
    r && {
      transferId: r.transferId,
      from: { bank: r.fromBank, accountId: r.fromAccount },
      to: { bank: r.toBank, accountId: r.toAccount },
      amount: r.amount,
      status: r.status,
      frozen: r.frozen,
      creditPrepared: r.creditPrepared,
      freezeConfirmed: r.freezeConfirmed,
      creditConfirmed: r.creditConfirmed,
      failReason: r.failReason as TransferFailureReason | null,
    }
  );
}

export function loadState(tx: TransferTx, input: TransferInput): TransferState {
  return { transfer: loadTransfer(tx, transferIdOf(input)) };
}

export function saveChanges(tx: TransferTx, { transfer: t }: { transfer: Transfer }, now: number): void {
  upsertTransfer(tx).run({
    transferId: t.transferId,
    fromBank: t.from.bank,
    fromAccount: t.from.accountId,
    toBank: t.to.bank,
    toAccount: t.to.accountId,
    amount: t.amount,
    status: t.status,
    // better-sqlite3 binds integers, not booleans
    frozen: Number(t.frozen),
    creditPrepared: Number(t.creditPrepared),
    freezeConfirmed: Number(t.freezeConfirmed),
    creditConfirmed: Number(t.creditConfirmed),
    failReason: t.failReason,
    now,
  });
}
