import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { partitionOf } from '@jetsaga/events';
import { partitionDbs, repartitionDurables, repartitionService, serviceDefinitions } from '@jetsaga/stack';
import { coreServices, terminalOrderStates, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

const skus = ['bean', 'rice', 'tea', 'lime'];
const customers = ['ann', 'bob', 'cid', 'dee'];

/** Rows of every partition in one order (by their first column), to compare across layouts. */
const sorted = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => String(Object.values(a)[0]).localeCompare(String(Object.values(b)[0])));

describe('jetsaga repartition: 2 partitions to 3, offline, then the same data served by 3', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'jetsaga-repartition-'));
  let t: TestStack | undefined;

  after(async () => {
    await t?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function placeOrders(prefix: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = `${prefix}-${i}`;
      ids.push(id);
      const items = [skus[i % 4]!, skus[(i + 1) % 4]!].map((sku) => ({ sku, quantity: 1, unitPrice: 10 }));
      await t!.send('PlaceOrder', { orderId: id, customerId: customers[i % 4]!, items });
    }
    await waitFor(() => t!.count('order', `SELECT count(*) AS n FROM orders WHERE status IN ${terminalOrderStates} AND order_id LIKE '${prefix}-%'`) >= ids.length || undefined, { what: `${prefix} orders over` });
    await t!.waitForQuiescence();
    return ids;
  }

  it('moves every row to the partition its key maps to among 3, keeps every total, and the 3 partitions go on where the 2 stopped', async () => {
    // given 2 partitions that handled orders and were drained and stopped
    t = await TestStack.start({ dataDir, partitions: 2, services: coreServices });
    for (const sku of skus) {
      await t.send('SetStock', { sku, quantity: 20 });
      await t.send('SetPrice', { sku, unitPrice: 10 });
    }
    for (const c of customers.slice(0, 3)) await t.send('CreditWallet', { customerId: c, amount: 1_000 });
    const before = await placeOrders('rp', 12);
    await assertInvariants(t);
    const statusBefore = sorted(t.rows('order', 'SELECT order_id, status FROM orders'));
    const stockBefore = sorted(t.rows('inventory', 'SELECT sku, available, held, sold FROM stock'));
    const walletsBefore = sorted(t.rows('payment', 'SELECT customer_id, balance FROM wallets'));
    for (const p of t.stack.services.values()) await p.stop();
    const defs = coreServices.map((s) => serviceDefinitions[s]!);
    // when its durables and files are moved to 3 partitions (the broker still up, the services down)
    const { lastSeq } = await repartitionDurables(t.jsm, defs[0]!, 2, 3, { check: true });
    for (const def of defs) await repartitionDurables(t.jsm, def, 2, 3, { afterSeq: lastSeq });
    await t.stop();
    const reports = defs.map((def) => repartitionService(def, dataDir, 2, 3)!);
    // then each row is in the file its key maps to, once, and the old files are kept aside
    assert.deepEqual(reports.map((r) => r.to.length), [3, 3, 3]);
    for (const r of reports) for (const old of r.from) assert.ok(existsSync(join(r.backup, old.slice(old.lastIndexOf('/') + 1))), old);
    // each new file knows it is one of 3: a process started as one of 2 would refuse it
    for (const r of reports) {
      for (const path of r.to) {
        const db = new Database(path, { readonly: true });
        assert.equal(db.pragma('application_id', { simple: true }), 3, path);
        db.close();
      }
    }
    // when the stack comes back on the same data dir and broker store as 3 partitions
    t = await TestStack.start({ dataDir, partitions: 3, services: coreServices });
    assert.deepEqual(t.stack.processes.get('order'), ['order-p0', 'order-p1', 'order-p2']);
    assert.deepEqual(sorted(t.rows('order', 'SELECT order_id, status FROM orders')), statusBefore);
    assert.deepEqual(sorted(t.rows('inventory', 'SELECT sku, available, held, sold FROM stock')), stockBefore);
    assert.deepEqual(sorted(t.rows('payment', 'SELECT customer_id, balance FROM wallets')), walletsBefore);
    for (const id of before) {
      for (let p = 0; p < 3; p++) assert.equal(t.count(`order-p${p}`, 'SELECT count(*) AS n FROM orders WHERE order_id = ?', id), p === partitionOf(id, 3) ? 1 : 0, `${id} in order-p${p}`);
    }
    for (const sku of skus) {
      for (let p = 0; p < 3; p++) assert.equal(t.count(`inventory-p${p}`, 'SELECT count(*) AS n FROM stock WHERE sku = ?', sku), p === partitionOf(sku, 3) ? 1 : 0, `${sku} in inventory-p${p}`);
    }
    // a handled message stays handled wherever its keys now live: each file's inbox, under its own consumers' names
    const inboxes = [0, 1, 2].map((p) => t!.count(`order-p${p}`, 'SELECT count(*) AS n FROM inbox'));
    assert.ok(inboxes.every((n) => n === inboxes[0] && n >= before.length), inboxes.join(', '));
    for (let p = 0; p < 3; p++) assert.equal(t.count(`order-p${p}`, 'SELECT count(*) AS n FROM inbox WHERE consumer NOT LIKE ?', `order-p${p}-%`), 0);
    // a second run finds the files moved already, and leaves them be
    assert.equal(repartitionService(serviceDefinitions.order!, dataDir, 2, 3), null);
    // and new orders run on the 3 partitions, against the stock and money the 2 left
    const afterIds = await placeOrders('rq', 12);
    assert.deepEqual(new Set(afterIds.map((id) => partitionOf(id, 3))), new Set([0, 1, 2]));
    assert.equal(t.count('order', `SELECT count(*) AS n FROM orders WHERE order_id LIKE 'rq-%' AND status = 'CONFIRMED'`), 9, "dee has no money: her 3 orders are cancelled");
    assert.deepEqual(await t.deadLetters(), []);
    await assertInvariants(t);
    assert.deepEqual(partitionDbs(dataDir, 'order', 3).map((p) => existsSync(p)), [true, true, true]);
  });

  it('refuses, touching nothing, while a service is running or a saga is not over', async () => {
    const def = serviceDefinitions.order!;
    assert.throws(() => repartitionService(def, dataDir, 3, 2), /is in use by pid \d+/);
    await assert.rejects(repartitionDurables(t!.jsm, def, 3, 2, { check: true }).then(async () => {
      // a PENDING order: its PlaceOrder handled, its deadline armed (inventory stopped, nothing answers)
      for (const p of t!.stack.processesOf('inventory')) await p.stop();
      await t!.send('PlaceOrder', { orderId: 'rs-pending', customerId: 'ann', items: [{ sku: 'bean', quantity: 1, unitPrice: 10 }] });
      await waitFor(() => t!.count('order', "SELECT count(*) AS n FROM orders WHERE order_id = 'rs-pending'") === 1 || undefined, { what: 'the pending order' });
      for (const p of t!.stack.processesOf('order')) await p.stop();
      repartitionService(def, dataDir, 3, 2);
    }), /not drained \(0 outbox rows unsent, 1 timers armed\)/);
    assert.deepEqual(partitionDbs(dataDir, 'order', 3).map((p) => existsSync(p)), [true, true, true], 'the files are where they were');
  });
});
