import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { coreServices, TestStack } from './support/harness.js';
import { runCli } from './support/cli.js';
import { assertInvariants } from './support/invariants.js';


describe('the jetsaga CLI against running services', () => {
  let t: TestStack;
  const jetsaga = async (...args: string[]) => {
    const result = await runCli(['--nats', t.stack.natsUrl, '--data-dir', t.stack.dataDir, ...args]);
    assert.equal(result.code, 0, result.stderr);
    return result;
  };

  before(async () => {
    t = await TestStack.start({ services: coreServices });
  });
  after(() => t?.stop());

  it('seeds stock and a wallet, then places an order and prints its saga', async () => {
    // given
    await jetsaga('stock', 'set', 'cli-sku', '3');
    await jetsaga('price', 'set', 'cli-sku', '1500');
    await jetsaga('wallet', 'credit', 'cli-customer', '5000');
    // when
    const { stdout } = await jetsaga('order', 'place', '--customer', 'cli-customer', '--item', 'cli-sku:2:1500', '--id', 'cli-order-1');
    // then
    assert.match(stdout, /PlaceOrder cli-order-1 accepted/);
    assert.match(stdout, /CONFIRMED/);
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('inventory', 'SELECT available, sold FROM stock WHERE sku = ?', 'cli-sku'), [{ available: 1, sold: 2 }]);
    assert.deepEqual(t.rows('inventory', 'SELECT unit_price FROM prices WHERE sku = ?', 'cli-sku'), [{ unit_price: 1500 }]);
    assert.deepEqual(t.rows('payment', 'SELECT balance FROM wallets WHERE customer_id = ?', 'cli-customer'), [{ balance: 2000 }]);
    await assertInvariants(t);
  });

  it('publishes bare data from stdin wrapped in a valid envelope', async () => {
    const result = await runCli(['--nats', t.stack.natsUrl, '--data-dir', t.stack.dataDir, 'publish', 'cmd.inventory.SetStock', '-'], '{"sku":"stdin-sku","quantity":7}');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /SetStock .* stored in COMMANDS/);
    await t.waitForQuiescence();
    assert.deepEqual(t.rows('inventory', 'SELECT available FROM stock WHERE sku = ?', 'stdin-sku'), [{ available: 7 }]);
    await assertInvariants(t);
  });

  it('refuses to publish a message that fails its schema, and sends nothing', async () => {
    // given
    const before = (await t.jsm.streams.info('COMMANDS')).state.last_seq;
    // when a credit with a negative amount comes on stdin
    const result = await runCli(['--nats', t.stack.natsUrl, '--data-dir', t.stack.dataDir, 'publish', 'cmd.payment.CreditWallet', '-'], '{"customerId":"c1","amount":-5}');
    // then
    assert.equal(result.code, 1);
    assert.match(result.stderr, /refused \(invalid_data\).*amount/);
    assert.equal((await t.jsm.streams.info('COMMANDS')).state.last_seq, before, 'nothing was published');
    await assertInvariants(t);
  });
});
