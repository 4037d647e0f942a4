import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { repoRoot } from '@jetsaga/stack';
import { coreServices, TestStack, waitFor } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';
import { CHROMIUM, eventTypes, launchChromium, startConsoleCli } from './support/console.js';

/** The README's screenshots are refreshed with JETSAGA_SCREENSHOTS=1; a plain run writes them to a temp dir. */
const SHOTS = process.env.JETSAGA_SCREENSHOTS === '1' ? join(repoRoot, 'docs') : mkdtempSync(join(tmpdir(), 'jetsaga-shots-'));

/** Waits until the saga page lists an event of `type` (it updates itself as events come). */
async function waitForEvent(page: Page, type: string): Promise<void> {
  await page.locator('[data-testid="event-row"] summary', { hasText: new RegExp(`^${type}$`) }).first().waitFor({ timeout: 30_000 });
}

describe('the web console, in a real browser', { skip: existsSync(CHROMIUM) ? false : `no ${CHROMIUM} (apt-get install chromium)` }, () => {
  let t: TestStack;
  let browser: Browser;
  let page: Page;
  let consoleCli: { url: string; child: ChildProcess };

  before(async () => {
    t = await TestStack.start({ services: coreServices, env: { JETSAGA_ORDER_DEADLINE_MS: '120000' } });
    await t.send('SetStock', { sku: 'lamp', quantity: 10 });
    await t.send('SetPrice', { sku: 'lamp', unitPrice: 2500 });
    await t.send('CreditWallet', { customerId: 'vera', amount: 100_000 });
    consoleCli = await startConsoleCli(t);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    consoleCli?.child.kill('SIGTERM');
    await t?.stop();
  });

  it('lists a placed order on /, and its page shows its events in order with a timeline', async () => {
    // given a placed order that went through
    await t.send('PlaceOrder', { orderId: 'web-1', customerId: 'vera', items: [{ sku: 'lamp', quantity: 1, unitPrice: 2500 }] });
    await t.waitForSagaEvents('web-1', 5);
    // when the operator opens the console
    await page.goto(consoleCli.url);
    // then the order is listed, and its page shows its events in order
    const row = page.locator('tr[data-saga="web-1"]');
    await row.waitFor();
    assert.match(await row.innerText(), /CONFIRMED/);
    await row.locator('a').click();
    await page.waitForURL(/\/sagas\/web-1$/);
    await page.locator('[data-testid="event-row"]').nth(4).waitFor();
    assert.deepEqual(await eventTypes(page), ['OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted']);
    assert.equal(await page.locator('[data-testid="gantt-step"]').count(), 5, 'a bar per step');
  });

  it('shows a poisoned message on /dlq, re-drives it once the cause is fixed, and the saga finishes', async () => {
    // given inventory fails every OrderCreated, so one is dead-lettered
    const inventory = t.stack.service('inventory');
    await inventory.stop();
    Object.assign(inventory.options.env!, { JETSAGA_FAULTS: 'OrderCreated:always', JETSAGA_MAX_DELIVER: '2' });
    await inventory.start();
    await t.send('PlaceOrder', { orderId: 'web-2', customerId: 'vera', items: [{ sku: 'lamp', quantity: 2, unitPrice: 2500 }] });
    await waitFor(async () => ((await t.deadLetters()).length > 0 ? true : undefined), { what: 'the dead letter', timeoutMs: 30_000 });
    // when the operator opens /dlq
    await page.goto(`${consoleCli.url}/dlq`);
    const group = page.locator('[data-testid="dlq-group"][data-reason="handler_failed"][data-type="OrderCreated"]');
    await group.waitFor();
    await group.locator('[data-testid="dlq-letter"]').first().click();
    const detail = page.locator('[data-testid="dlq-detail"]');
    await detail.waitFor();
    assert.match(await detail.locator('[data-testid="dlq-payload"]').innerText(), /"orderId": "web-2"/);
    assert.match(await detail.locator('[data-testid="dlq-error"]').innerText(), /injected fault: OrderCreated/);
    await page.screenshot({ path: join(SHOTS, 'console-dlq.png'), fullPage: true });
    // and fixes inventory, then re-drives the letter, confirming
    await inventory.stop();
    delete inventory.options.env!.JETSAGA_FAULTS;
    await inventory.start();
    await detail.locator('[data-testid="redrive-one"]').click();
    await page.locator('[data-testid="confirm-ok"]').click();
    await page.locator('[data-testid="notice"]', { hasText: 'Re-driven: 1 of 1' }).waitFor();
    await page.locator('[data-testid="dlq-empty"]').waitFor();
    // then the saga finishes, as its page shows (live)
    await page.goto(`${consoleCli.url}/sagas/web-2`);
    await waitForEvent(page, 'StockCommitted');
    const types = await eventTypes(page);
    assert.deepEqual(types, ['OrderCreated', 'OrderCreated', 'StockReserved', 'PaymentSucceeded', 'OrderConfirmed', 'StockCommitted'], 'the re-driven copy, then each step once');
    assert.match(await page.locator('h2').innerText(), /CONFIRMED/);
    assert.ok((await page.locator('table[data-testid="steps"]').innerText()).includes('inventory-OrderCreated'));
    await page.screenshot({ path: join(SHOTS, 'console-saga.png'), fullPage: true });
  });

  it('cancels a saga that is not over from its page, and every participant compensates', async () => {
    // given an order waiting for payment (down)
    const payment = t.stack.service('payment');
    await payment.stop();
    await t.send('PlaceOrder', { orderId: 'web-3', customerId: 'vera', items: [{ sku: 'lamp', quantity: 1, unitPrice: 2500 }] });
    await t.waitForSagaEvents('web-3', 2);
    await page.goto(`${consoleCli.url}/sagas/web-3`);
    // when the operator cancels it, saying why
    await page.locator('[data-testid="cancel-saga"]').click();
    await page.locator('[data-testid="confirm-reason"]').fill('stuck waiting for payment');
    await page.locator('[data-testid="confirm-ok"]').click();
    await page.locator('[data-testid="notice"]', { hasText: 'Cancelled' }).waitFor({ timeout: 15_000 });
    // then the order is cancelled (manual) and its hold released
    await waitForEvent(page, 'StockReleased');
    assert.deepEqual(await eventTypes(page), ['OrderCreated', 'StockReserved', 'OrderCancelled', 'StockReleased']);
    const cancelled = (await t.sagaEvents('web-3')).find((e) => e.envelope.type === 'OrderCancelled')!;
    assert.deepEqual([(cancelled.envelope.data as { reason: string }).reason, (cancelled.envelope.data as { note?: string }).note, cancelled.envelope.causationId !== null], ['manual', 'stuck waiting for payment', true]);
    await payment.start();
  });

  it('shows every service healthy on /services', async () => {
    await t.waitForQuiescence();
    await page.goto(`${consoleCli.url}/services`);
    await page.locator('[data-testid="verdict"]', { hasText: 'Healthy' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[data-testid="service-row"]').count(), coreServices.length);
    await page.screenshot({ path: join(SHOTS, 'console-services.png'), fullPage: true });
    // and the saga list, newest first, with what each came to
    await t.send('PlaceOrder', { orderId: 'web-4', customerId: 'vera', items: [{ sku: 'lamp', quantity: 500, unitPrice: 2500 }] });
    await t.waitForSagaEvents('web-4', 3);
    await page.goto(consoleCli.url);
    await page.locator('tr[data-saga="web-4"]', { hasText: 'CANCELLED' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.locator('[data-testid="saga-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-saga'))), ['web-4', 'web-3', 'web-2', 'web-1']);
    await page.screenshot({ path: join(SHOTS, 'console-sagas.png'), fullPage: true });
    await assertInvariants(t);
  });
});
