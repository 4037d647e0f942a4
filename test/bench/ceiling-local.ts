import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, decodeMessage, type Envelope } from '@jetsaga/events';
import { commitBatch, createLogger, markOutboxSent, openServiceDb, type ServiceDb, type ServiceDefinition, type Synchronous } from '@jetsaga/messaging';
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
  const log = createLogger('bench', 'silent');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const open = (def: ServiceDefinition<any>) => ({
    def,
    db: openServiceDb({ path: join(dir, `${def.name}.db`), schema: def.schema, migrationsFolder: def.migrationsFolder, synchronous: opts.synchronous }) as unknown as ServiceDb,
  });
  const order = open(orderService);
  const inventory = open(inventoryService);
  const payment = open(paymentService);
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  const step = (svc: ReturnType<typeof open>, messages: Envelope[]): Envelope[] => {
    const items = messages.map((message) => {
      const reaction = (svc.def.subscriptions as Record<string, unknown>)[message.type];
      return { deps: { service: svc.def.name, consumer: `${svc.def.name}-${message.type}`, db: svc.db, reaction: reaction as never, log }, message, opts: { delivery: 1, traceparent } };
    });
    const ids = commitBatch(svc.db, items).flatMap((o) => {
      if (!o.ok) throw o.error;
      return o.emitted === 'duplicate' ? [] : o.emitted;
    });
    const rows = svc.db.$client.prepare(`SELECT seq, payload FROM outbox WHERE event_id IN (${ids.map(() => '?').join(',')})`).all(...ids) as { seq: number; payload: string }[];
    markOutboxSent(svc.db, rows.map((r) => r.seq), Date.now());
    return rows.map((r) => {
      const d = decodeMessage(r.payload);
      if (!d.ok) throw new Error(d.detail);
      return d.envelope;
    });
  };
  const seed = (svc: ReturnType<typeof open>, type: 'SetStock' | 'CreditWallet', data: never) => step(svc, [createEnvelope(type, data, { producer: 'bench', sagaId: null })]);
  seed(inventory, 'SetStock', { sku: 'bench-plenty', quantity: 1_000_000_000 } as never);
  seed(payment, 'CreditWallet', { customerId: 'bench-rich', amount: 9_000_000_000_000 } as never);

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
  for (const s of [order, inventory, payment]) s.db.$client.close();
  rmSync(dir, { recursive: true, force: true });
  return perSecond;
}
