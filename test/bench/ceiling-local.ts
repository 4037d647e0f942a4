import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, type Envelope, MAX_WALLET_BALANCE } from '@jetsaga/events';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { openLocalService, type Synchronous } from '@jetsaga/messaging/ops';
import { inventoryService } from '@jetsaga/inventory';
import { orderService } from '@jetsaga/order';
import { paymentService } from '@jetsaga/payment';

type Local = ReturnType<typeof openLocalService>;

/**
 * The saga's three service dbs in a fresh dir, seeded, in one process, for `use` (then closed
 * and removed, whatever `use` does): `wave(n, size)` runs
 * `size` sagas together through their five local transactions (place, reserve, charge,
 * confirm, commit), each step of theirs in one transaction per service, as the services
 * batch what arrives at once.
 */
function withLocalSaga<T>(synchronous: Synchronous, use: (saga: { dbs: Local[]; wave(n: number, size: number): void }) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-bench-local-'));
  const dbs: Local[] = [];
  const open = (def: AnyServiceDefinition) => {
    const svc = openLocalService(def, { path: join(dir, `${def.name}.db`), synchronous });
    dbs.push(svc);
    return svc;
  };
  try {
    const order = open(orderService);
    const inventory = open(inventoryService);
    const payment = open(paymentService);
    const seed = (svc: Local, type: 'SetStock' | 'SetPrice' | 'CreditWallet', data: never) => svc.handle([createEnvelope(type, data, { producer: 'bench', sagaId: null })]);
    seed(inventory, 'SetStock', { sku: 'bench-plenty', quantity: 1_000_000_000 } as never);
    seed(inventory, 'SetPrice', { sku: 'bench-plenty', unitPrice: 100 } as never);
    seed(payment, 'CreditWallet', { customerId: 'bench-rich', amount: MAX_WALLET_BALANCE } as never);
    return use({
      dbs,
      wave(n: number, size: number): void {
        const placed: Envelope[] = Array.from({ length: size }, (_, i) => {
          const orderId = `local-${n + i}`;
          return createEnvelope('PlaceOrder', { orderId, customerId: 'bench-rich', items: [{ sku: 'bench-plenty', quantity: 1, unitPrice: 100 }] }, { producer: 'bench', sagaId: orderId });
        });
        const created = order.handle(placed);
        const reserved = inventory.handle(created);
        const paid = payment.handle(reserved);
        const confirmed = order.handle(paid);
        const committed = inventory.handle(confirmed);
        if (committed.length !== size || committed.some((e) => e.type !== 'StockCommitted')) throw new Error(`a saga of wave ${n} did not end with StockCommitted`);
      },
    });
  } finally {
    for (const s of dbs) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Ceiling B: the saga's local transactions, each with its inbox row, outbox rows and step
 * log, in one process on SQLite, no messaging; `inFlight` sagas a transaction. Sagas per second.
 */
export function localTransactionsCeiling(opts: { sagas: number; synchronous: Synchronous; inFlight: number }): number {
  return withLocalSaga(opts.synchronous, (saga) => {
    const started = performance.now();
    for (let n = 0; n < opts.sagas; n += opts.inFlight) saga.wave(n, Math.min(opts.inFlight, opts.sagas - n));
    return opts.sagas / ((performance.now() - started) / 1000);
  });
}

/**
 * The pages a saga's commits write to the three WALs, one saga a transaction (as at 1 in
 * flight), after `warmSagas` have grown the tables: the checkpoints are held back and the
 * WAL's frames counted. A figure the VM's speed does not move. (Ceiling B's path marks the
 * outbox rows sent in a commit of their own; the services do it in their next commit.)
 */
export function walFramesPerSaga(opts: { sagas: number; warmSagas: number }): number {
  return withLocalSaga('NORMAL', (saga) => {
    for (let n = 0; n < opts.warmSagas; n++) saga.wave(n, 1);
    // PASSIVE reports the frames in the WAL (TRUNCATE reports 0 once it has emptied it)
    const walFrames = () => saga.dbs.reduce((sum, s) => sum + (s.db.$client.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log, 0);
    for (const s of saga.dbs) {
      s.db.$client.pragma('wal_autocheckpoint = 0');
      s.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    }
    const before = walFrames();
    for (let n = 0; n < opts.sagas; n++) saga.wave(opts.warmSagas + n, 1);
    return (walFrames() - before) / opts.sagas;
  });
}
