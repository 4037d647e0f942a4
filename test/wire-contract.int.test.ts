import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
// Only the bare client: this test is what any NATS user can do, with no jetsaga code.
import { connect, headers, type NatsConnection, nkeyAuthenticator, StringCodec } from 'nats';
import { coreServices, TestStack } from './support/harness.js';
import { assertInvariants } from './support/invariants.js';

const sc = StringCodec();

function envelope(type: string, sagaId: string | null, data: unknown) {
  return { id: randomUUID(), type, version: 1, sagaId, causationId: null, correlationId: null, occurredAt: new Date().toISOString(), producer: 'bare-client', data };
}

describe('the wire contract, driven by a bare NATS client', () => {
  let t: TestStack;
  let nc: NatsConnection;

  before(async () => {
    t = await TestStack.start({ services: coreServices });
    // With the operator's nkey on the stack's own (secured) broker; as it is on a given NATS_URL.
    const operator = t.stack.auth?.identities.get('operator');
    const auth = operator ? { authenticator: nkeyAuthenticator(new TextEncoder().encode(readFileSync(operator.seedFile, 'utf8').trim())), inboxPrefix: '_INBOX_operator' } : {};
    nc = await connect({ servers: t.stack.natsUrl, ...auth });
  });
  after(async () => {
    await nc?.close();
    await t?.stop();
  });

  it('runs a whole saga from JSON commands published on cmd.* and shows it on evt.*.*.<orderId>', async () => {
    // given stock and a wallet, seeded with plain JetStream publishes
    const js = nc.jetstream();
    const publish = (subject: string, body: object) => {
      const h = headers();
      h.set('Nats-Msg-Id', (body as { id: string }).id);
      return js.publish(subject, sc.encode(JSON.stringify(body)), { headers: h });
    };
    await publish('cmd.inventory.SetStock.wire-sku', envelope('SetStock', null, { sku: 'wire-sku', quantity: 5 }));
    await publish('cmd.inventory.SetPrice.wire-sku', envelope('SetPrice', null, { sku: 'wire-sku', unitPrice: 1250 }));
    await publish('cmd.payment.CreditWallet.wire-customer', envelope('CreditWallet', null, { customerId: 'wire-customer', amount: 9000 }));
    const seen: { subject: string; type: string }[] = [];
    const sub = nc.subscribe('evt.*.*.wire-order-1.>');
    const done = (async () => {
      for await (const m of sub) {
        const body = JSON.parse(sc.decode(m.data)) as { type: string };
        seen.push({ subject: m.subject, type: body.type });
        if (body.type === 'StockCommitted') break;
      }
    })();

    // when a PlaceOrder command arrives as JSON
    const ack = await publish(
      'cmd.order.PlaceOrder.wire-order-1',
      envelope('PlaceOrder', 'wire-order-1', { orderId: 'wire-order-1', customerId: 'wire-customer', items: [{ sku: 'wire-sku', quantity: 2, unitPrice: 1250 }] }),
    );
    assert.equal(ack.stream, 'COMMANDS');

    // then the saga's events arrive on evt.<producer>.<type>.<orderId>.<key>: the customer for those payment and loyalty take, `_` for the others
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`saga incomplete: ${JSON.stringify(seen)}`)), 15_000);
    });
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    sub.unsubscribe();
    assert.deepEqual(seen, [
      { subject: 'evt.order.OrderCreated.wire-order-1.wire-customer', type: 'OrderCreated' },
      { subject: 'evt.inventory.StockReserved.wire-order-1.wire-customer', type: 'StockReserved' },
      { subject: 'evt.payment.PaymentSucceeded.wire-order-1.wire-customer', type: 'PaymentSucceeded' },
      { subject: 'evt.order.OrderConfirmed.wire-order-1.wire-customer', type: 'OrderConfirmed' },
      { subject: 'evt.inventory.StockCommitted.wire-order-1._', type: 'StockCommitted' },
    ]);
    await assertInvariants(t);
  });
});
