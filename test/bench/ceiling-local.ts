import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, type Envelope, MAX_WALLET_BALANCE } from '@jetsaga/events';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { openLocalService, type Synchronous } from '@jetsaga/messaging/ops';
import { inventoryService } from '@jetsaga/inventory';
import { orderService } from '@jetsaga/order';
import { paymentService } from '@jetsaga/payment';

/**
 * Ceiling B: the saga's local transactions (place, reserve, charge, confirm, commit), each
 * with its inbox row, outbox rows and step log, in one process on SQLite, no messaging.
 * `inFlight` sagas advance together, each step of theirs in one transaction per service, as
 * the services batch what arrives at once.
 */
export function localTransactionsCeiling(opts: { sagas: number; synchronous: Synchronous; inFlight: number }): number {
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-bench-local-'));
  const open = (def: AnyServiceDefinition) => openLocalService(def, { path: join(dir, `${def.name}.db`), synchronous: opts.synchronous });
  const order = open(orderService);
  const inventory = open(inventoryService);
  const payment = open(paymentService);
  const step = (svc: ReturnType<typeof open>, messages: Envelope[]): Envelope[] => svc.handle(messages);
  const seed = (svc: ReturnType<typeof open>, type: 'SetStock' | 'SetPrice' | 'CreditWallet', data: never) => step(svc, [createEnvelope(type, data, { producer: 'bench', sagaId: null })]);
  seed(inventory, 'SetStock', { sku: 'bench-plenty', quantity: 1_000_000_000 } as never);
  seed(inventory, 'SetPrice', { sku: 'bench-plenty', unitPrice: 100 } as never);
  seed(payment, 'CreditWallet', { customerId: 'bench-rich', amount: MAX_WALLET_BALANCE } as never);

  const started = performance.now();
  for (let n = 0; n < opts.sagas; n += opts.inFlight) {
    const wave = Array.from({ length: Math.min(opts.inFlight, opts.sagas - n) }, (_, i) => {
      const orderId = `local-${n + i}`;
      return createEnvelope('PlaceOrder', { orderId, customerId: 'bench-rich', items: [{ sku: 'bench-plenty', quantity: 1, unitPrice: 100 }] }, { producer: 'bench', sagaId: orderId });
    });
    const created = step(order, wave);
    const reserved = step(inventory, created);
    const paid = step(payment, reserved);
    const confirmed = step(order, paid);
    const committed = step(inventory, confirmed);
    if (committed.length !== wave.length || committed.some((e) => e.type !== 'StockCommitted')) throw new Error(`a saga of wave ${n} did not end with StockCommitted`);
  }
  const perSecond = opts.sagas / ((performance.now() - started) / 1000);
  for (const s of [order, inventory, payment]) s.close();
  rmSync(dir, { recursive: true, force: true });
  return perSecond;
}
