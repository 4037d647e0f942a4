import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { partitionOf } from '@jetsaga/events';
import { CHROMIUM, eventTypes, launchChromium, startConsoleCli } from './support/console.js';
import { coreServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

describe('the web console over services run as 2 partitions, in a real browser', { skip: existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)` }, () => {
  let t: TestStack;
  let browser: Browser;
  let page: Page;
  let consoleCli: { url: string; child: ChildProcess };
  // orders in both order partitions; pear in one inventory partition, lime in the other
  const orders = ['cw-1', 'cw-2', 'cw-3', 'cw-4'];

  before(async () => {
    t = await TestStack.start({ partitions: 2, services: coreServices, env: { JETSAGA_ORDER_DEADLINE_MS: '120000' } });
    for (const sku of ['pear', 'lime']) {
      await t.send('SetStock', { sku, quantity: 10 });
      await t.send('SetPrice', { sku, unitPrice: 100 });
    }
    await t.send('CreditWallet', { customerId: 'vera', amount: 100_000 });
    consoleCli = await startConsoleCli(t);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });
  after(async () => {
    await browser?.close();
    consoleCli?.child.kill('SIGTERM');
    await t?.stop();
  });

  it('lists the orders of both order partitions, and shows one across both inventory partitions with every event', async () => {
    assert.deepEqual(new Set(orders.map((o) => partitionOf(o, 2))), new Set([0, 1]));
    assert.notEqual(partitionOf('pear', 2), partitionOf('lime', 2));
    for (const orderId of orders) await t.send('PlaceOrder', { orderId, customerId: 'vera', items: [{ sku: 'pear', quantity: 1, unitPrice: 100 }, { sku: 'lime', quantity: 1, unitPrice: 100 }] });
    await waitFor(() => t.count('order', "SELECT count(*) AS n FROM orders WHERE status = 'CONFIRMED'") === orders.length || undefined, { what: 'the orders confirmed' });
    await t.waitForQuiescence();
    await page.goto(consoleCli.url);
    for (const orderId of orders) await page.locator(`tr[data-saga="${orderId}"]`, { hasText: 'CONFIRMED' }).waitFor({ timeout: 15_000 });
    await page.goto(`${consoleCli.url}/sagas/cw-1`);
    await page.locator('[data-testid="event-row"]').nth(7).waitFor({ timeout: 15_000 });
    const types = await eventTypes(page);
    assert.deepEqual([...types].sort(), ['OrderConfirmed', 'OrderCreated', 'PaymentSucceeded', 'StockCommitted', 'StockCommitted', 'StockPartHeld', 'StockPartHeld', 'StockReserved']);
  });

  it('cancels a pending saga from its page (the console may send CancelOrder through the mapping), and both partitions release', async () => {
    for (const p of t.stack.processesOf('payment')) await p.stop();
    await t.send('PlaceOrder', { orderId: 'cw-pending', customerId: 'vera', items: [{ sku: 'pear', quantity: 1, unitPrice: 100 }, { sku: 'lime', quantity: 1, unitPrice: 100 }] });
    await waitFor(async () => (await t.sagaTypes('cw-pending')).includes('StockReserved') || undefined, { what: 'cw-pending held' });
    await page.goto(`${consoleCli.url}/sagas/cw-pending`);
    await page.locator('[data-testid="cancel-saga"]').click();
    await page.locator('[data-testid="confirm-reason"]').fill('stuck');
    await page.locator('[data-testid="confirm-ok"]').click();
    await page.locator('[data-testid="notice"]', { hasText: 'Cancelled' }).waitFor({ timeout: 15_000 });
    await waitFor(async () => (await t.sagaTypes('cw-pending')).filter((x) => x === 'StockReleased').length === 2 || undefined, { what: 'both holds released' });
    for (const p of t.stack.processesOf('payment')) await p.start();
    await t.waitForQuiescence();
    await assertInvariants(t);
  });

  it('shows every partition of every service on /services, healthy', async () => {
    await page.goto(`${consoleCli.url}/services`);
    await page.locator('[data-testid="verdict"]', { hasText: 'Healthy' }).waitFor({ timeout: 15_000 });
    const rows = await page.locator('[data-testid="service-row"]').evaluateAll((r) => r.map((e) => e.getAttribute('data-service')));
    assert.deepEqual([...rows].sort(), ['inventory-p0', 'inventory-p1', 'order-p0', 'order-p1', 'payment-p0', 'payment-p1']);
  });
});
