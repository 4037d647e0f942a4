import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope } from './create.js';
import { DEFAULT_MAX_BYTES, decodeMessage, expectedSubject } from './decode.js';
import { ContractError } from './errors.js';
import { instanceName, parseInstanceName, serviceKindOf } from './instances.js';
import { MAX_WALLET_BALANCE } from './ids.js';
import { partitionMappings, partitionOf, parsePartition } from './partitions.js';
import { latest, lookup, type MessageType } from './registry.js';
import {
  commandSubject,
  dlqSubject,
  eventFilter,
  eventSubject,
  parseSubject,
  sagaFilter,
} from './subjects.js';

// ---- given helpers ------------------------------------------------------------------

const occurredAt = '2025-01-02T03:04:05.678Z';

const placeOrderData = {
  orderId: 'order-1',
  customerId: 'cust-1',
  items: [{ sku: 'apple', quantity: 2, unitPrice: 150 }],
};

function placeOrderEnvelope(overrides: Record<string, unknown> = {}) {
  return {
    id: 'msg-1',
    type: 'PlaceOrder',
    version: 1,
    sagaId: 'order-1',
    causationId: null,
    correlationId: 'msg-1',
    occurredAt,
    producer: 'cli',
    data: placeOrderData,
    ...overrides,
  };
}

const stockReservedData = { ...placeOrderData, total: 300 };

function stockReservedEnvelope(overrides: Record<string, unknown> = {}) {
  return {
    id: 'msg-2',
    type: 'StockReserved',
    version: 1,
    sagaId: 'order-1',
    causationId: 'msg-1',
    correlationId: 'msg-1',
    occurredAt,
    producer: 'inventory',
    data: stockReservedData,
    ...overrides,
  };
}

function wire(value: unknown): string {
  return JSON.stringify(value);
}

function assertRefused(payload: Uint8Array | string, reason: string, options?: Parameters<typeof decodeMessage>[1]) {
  const decoded = decodeMessage(payload, options);
  assert.equal(decoded.ok, false, `expected ${reason}, got a valid message`);
  if (decoded.ok) return undefined as never;
  assert.equal(decoded.reason, reason, decoded.detail);
  assert.ok(decoded.detail.length > 0, 'a refusal always says why');
  return decoded;
}

// ---- decodeMessage: valid messages ----------------------------------------------------

describe('decodeMessage', () => {
  it('accepts a valid PlaceOrder command on its command subject', () => {
    const envelope = placeOrderEnvelope();

    const decoded = decodeMessage(wire(envelope), { subject: 'cmd.order.PlaceOrder.order-1' });

    assert.equal(decoded.ok, true);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.envelope, envelope);
    assert.equal(decoded.def, lookup('PlaceOrder', 1));
  });

  it('accepts a valid StockReserved event from bytes on its saga subject', () => {
    const envelope = stockReservedEnvelope();

    const decoded = decodeMessage(new TextEncoder().encode(wire(envelope)), {
      subject: 'evt.inventory.StockReserved.order-1.cust-1',
    });

    assert.ok(decoded.ok);
    assert.deepEqual(decoded.envelope, envelope);
    assert.equal(decoded.def.kind, 'event');
    assert.equal(decoded.def.type, 'StockReserved');
  });

  it('accepts a command without a sagaKey when its sagaId is null', () => {
    const envelope = placeOrderEnvelope({ type: 'SetStock', sagaId: null, data: { sku: 'apple', quantity: 10 } });

    const decoded = decodeMessage(wire(envelope), { subject: 'cmd.inventory.SetStock.apple' });

    assert.ok(decoded.ok);
    assert.deepEqual(decoded.envelope.data, { sku: 'apple', quantity: 10 });
  });

  it('skips the subject check when no subject is given', () => {
    const decoded = decodeMessage(wire(stockReservedEnvelope()));

    assert.equal(decoded.ok, true);
  });

  it('drops unknown data fields but keeps the known ones', () => {
    const envelope = stockReservedEnvelope({
      data: { ...stockReservedData, coupon: 'FREE', items: [{ sku: 'apple', quantity: 2, unitPrice: 150, colour: 'red' }] },
    });

    const decoded = decodeMessage(wire(envelope));

    assert.ok(decoded.ok);
    assert.deepEqual(decoded.envelope.data, stockReservedData);
  });

  // ---- each refusal reason ----

  it('refuses a payload larger than the limit as too_large, counting bytes rather than characters', () => {
    const payload = wire(placeOrderEnvelope());
    const bytes = Buffer.byteLength(payload);

    assertRefused(payload, 'too_large', { maxBytes: bytes - 1 });
    assert.equal(decodeMessage(payload, { maxBytes: bytes }).ok, true);

    // 'é' is one character but two bytes in UTF-8
    assertRefused('"éé"', 'too_large', { maxBytes: 5 });
  });

  it('refuses a payload over the default 256 KiB limit as too_large', () => {
    assertRefused(new Uint8Array(DEFAULT_MAX_BYTES + 1), 'too_large');
  });

  it('refuses text that is not JSON as malformed_json', () => {
    assertRefused('{"id": "msg-1",', 'malformed_json');
  });

  it('refuses bytes that are not UTF-8 as malformed_json', () => {
    assertRefused(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'malformed_json');
  });

  it('refuses JSON that is not an envelope as invalid_envelope', () => {
    assertRefused(wire([1, 2, 3]), 'invalid_envelope');
    assertRefused(wire({ ...placeOrderEnvelope(), id: undefined }), 'invalid_envelope');
    assertRefused(wire(placeOrderEnvelope({ type: 'placeOrder' })), 'invalid_envelope');
    assertRefused(wire(placeOrderEnvelope({ version: 0 })), 'invalid_envelope');
    assertRefused(wire(placeOrderEnvelope({ occurredAt: 'yesterday' })), 'invalid_envelope');
    assertRefused(wire(placeOrderEnvelope({ sagaId: 'order.1' })), 'invalid_envelope');
  });

  it('refuses a type nobody defined as unknown_type, keeping the raw envelope', () => {
    const refused = assertRefused(wire(placeOrderEnvelope({ type: 'ShipOrder' })), 'unknown_type');

    assert.equal(refused.envelope?.type, 'ShipOrder');
    assert.equal(refused.envelope?.id, 'msg-1');
  });

  it('refuses a known type at an unknown version as unknown_version', () => {
    const refused = assertRefused(wire(placeOrderEnvelope({ version: 2 })), 'unknown_version');

    assert.equal(refused.envelope?.version, 2);
  });

  it('refuses data that breaks the schema of its type as invalid_data', () => {
    const badItems = { ...placeOrderData, items: [{ sku: 'apple', quantity: 0, unitPrice: 150 }] };

    assertRefused(wire(placeOrderEnvelope({ data: badItems })), 'invalid_data');
    assertRefused(wire(placeOrderEnvelope({ data: { ...placeOrderData, items: [] } })), 'invalid_data');
    assertRefused(wire(placeOrderEnvelope({ data: { orderId: 'order-1' } })), 'invalid_data');
    assertRefused(wire(stockReservedEnvelope({ data: { ...stockReservedData, total: -1 } })), 'invalid_data');
  });

  it('refuses a valid message that arrived on another subject as subject_mismatch', () => {
    assertRefused(wire(placeOrderEnvelope()), 'subject_mismatch', { subject: 'cmd.inventory.PlaceOrder.order-1' });
    assertRefused(wire(placeOrderEnvelope()), 'subject_mismatch', { subject: 'cmd.order.PlaceOrder.order-2' });
    assertRefused(wire(stockReservedEnvelope()), 'subject_mismatch', { subject: 'evt.inventory.StockReserved.order-2.cust-1' });
    assertRefused(wire(stockReservedEnvelope()), 'subject_mismatch', { subject: 'evt.payment.StockReserved.order-1.cust-1' });
    // the key token is the customer's: another customer's partition must not take it
    assertRefused(wire(stockReservedEnvelope()), 'subject_mismatch', { subject: 'evt.inventory.StockReserved.order-1.cust-2' });
  });

  it('accepts a subject stored before keys were in subjects (no key token), and one with the partitions the broker appended', () => {
    const event = wire(stockReservedEnvelope());
    assert.equal(decodeMessage(event, { subject: 'evt.inventory.StockReserved.order-1' }).ok, true);
    assert.equal(decodeMessage(wire(placeOrderEnvelope()), { subject: 'cmd.order.PlaceOrder' }).ok, true);
    const [saga, key] = [partitionOf('order-1', 3), partitionOf('cust-1', 3)];
    assert.equal(decodeMessage(event, { subject: `evt.inventory.StockReserved.order-1.cust-1.${saga}.${key}`, partitions: 3 }).ok, true);
    assert.equal(decodeMessage(wire(placeOrderEnvelope()), { subject: `cmd.order.PlaceOrder.order-1.${saga}`, partitions: 3 }).ok, true);
  });

  it('refuses partition tokens that are not the ones the broker computes for its saga and key', () => {
    const [saga, key] = [partitionOf('order-1', 3), partitionOf('cust-1', 3)];
    const refused = assertRefused(wire(stockReservedEnvelope()), 'subject_mismatch', { subject: `evt.inventory.StockReserved.order-1.cust-1.${saga}.${(key + 1) % 3}`, partitions: 3 });
    assert.match(refused.detail, /with its partitions among 3/);
    assertRefused(wire(stockReservedEnvelope()), 'subject_mismatch', { subject: `evt.inventory.StockReserved.order-1.cust-1.${saga}.x` });
    assertRefused(wire(placeOrderEnvelope()), 'subject_mismatch', { subject: `cmd.order.PlaceOrder.order-1.${(saga + 1) % 3}`, partitions: 3 });
    assertRefused(wire(placeOrderEnvelope()), 'subject_mismatch', { subject: `cmd.order.PlaceOrder.order-1.${saga}.${saga}` });
  });

  // ---- saga ids and producers ----

  it('refuses a PlaceOrder whose sagaId is not its data.orderId', () => {
    assertRefused(wire(placeOrderEnvelope({ sagaId: 'order-2' })), 'invalid_envelope');
    assertRefused(wire(placeOrderEnvelope({ sagaId: null })), 'invalid_envelope');
  });

  it('refuses a command without a sagaKey that carries a sagaId', () => {
    const envelope = placeOrderEnvelope({ type: 'CreditWallet', sagaId: 'cust-1', data: { customerId: 'cust-1', amount: 10 } });

    assertRefused(wire(envelope), 'invalid_envelope');
  });

  it('refuses an event without a sagaId', () => {
    assertRefused(wire(stockReservedEnvelope({ sagaId: null })), 'invalid_envelope');
  });

  it('refuses an event from a service that does not produce it', () => {
    const refused = assertRefused(wire(stockReservedEnvelope({ producer: 'payment' })), 'invalid_envelope');

    assert.match(refused.detail, /inventory/);
  });

  it("refuses an order's event whose sagaId is not its data.orderId as saga_mismatch, naming both", () => {
    // given a StockReserved about order-1 on the saga of order-2, on that saga's own subject
    const envelope = stockReservedEnvelope({ sagaId: 'order-2' });

    const refused = assertRefused(wire(envelope), 'saga_mismatch', { subject: 'evt.inventory.StockReserved.order-2.cust-1' });

    assert.match(refused.detail, /StockReserved is about order "order-1" but carries sagaId "order-2"/);
    assert.equal(refused.envelope?.id, 'msg-2');
  });

  it('checks every event that names an order, e.g. a forged PaymentSucceeded', () => {
    const forged = {
      ...stockReservedEnvelope({ type: 'PaymentSucceeded', producer: 'payment', sagaId: 'victim-1' }),
      data: { orderId: 'order-1', customerId: 'cust-1', amount: 1, paymentId: 'pay-1' },
    };

    assertRefused(wire(forged), 'saga_mismatch');
    assert.equal(decodeMessage(wire({ ...forged, sagaId: 'order-1' })).ok, true);
  });
});

// ---- decodeMessage: bad input the schemas refuse, precisely --------------------------------

describe('decodeMessage: orders', () => {
  const withItems = (items: unknown[]) => wire(placeOrderEnvelope({ data: { ...placeOrderData, items } }));

  it('refuses two lines with the same sku, naming the line and the first one', () => {
    const refused = assertRefused(
      withItems([
        { sku: 'apple', quantity: 1, unitPrice: 150 },
        { sku: 'pear', quantity: 1, unitPrice: 80 },
        { sku: 'apple', quantity: 2, unitPrice: 150 },
      ]),
      'invalid_data',
    );

    assert.match(refused.detail, /items\.2\.sku: sku "apple" is on line 0 already: one line per sku/);
  });

  it('refuses the same duplicate in every order-saga event that carries the items', () => {
    const items = [
      { sku: 'apple', quantity: 1, unitPrice: 150 },
      { sku: 'apple', quantity: 1, unitPrice: 150 },
    ];

    assertRefused(wire(stockReservedEnvelope({ data: { ...stockReservedData, items } })), 'invalid_data');
  });

  it('refuses a total past Number.MAX_SAFE_INTEGER at once, though each line is valid', () => {
    const refused = assertRefused(
      withItems([
        { sku: 'apple', quantity: 1_000_000, unitPrice: Number.MAX_SAFE_INTEGER },
        { sku: 'pear', quantity: 1, unitPrice: 1 },
      ]),
      'invalid_data',
    );

    assert.match(refused.detail, /items: the total \(quantity x unitPrice, summed\) is .*, past the limit 9007199254740991/);
  });

  it('refuses a total one past the limit, and accepts one exactly at it', () => {
    const half = (Number.MAX_SAFE_INTEGER - 1) / 2;

    assert.equal(decodeMessage(withItems([{ sku: 'a', quantity: 2, unitPrice: half }, { sku: 'b', quantity: 1, unitPrice: 1 }])).ok, true);
    assertRefused(withItems([{ sku: 'a', quantity: 2, unitPrice: half }, { sku: 'b', quantity: 1, unitPrice: 2 }]), 'invalid_data');
  });
});

describe('decodeMessage: ids and text', () => {
  it('refuses an envelope id with a control or bidi character, a space, or past 64 characters', () => {
    for (const id of ['msg\u0000-1', 'msg\n1', 'msg\u001b[31m', 'msg-\u202e1', 'msg-\u2066', 'msg 1', 'mség', 'x'.repeat(65), '']) {
      const refused = assertRefused(wire(placeOrderEnvelope({ id })), 'invalid_envelope');
      assert.match(refused.detail, /^id: /, JSON.stringify(id));
    }
  });

  it('accepts any 1-64 visible ASCII characters as an envelope id (a UUID, a client id)', () => {
    for (const id of ['0190f1c4-7c9e-7d2a-9b7c-1e2f3a4b5c6d', 'my-order-1:attempt#2', 'x'.repeat(64), '!~']) {
      assert.equal(decodeMessage(wire(placeOrderEnvelope({ id }))).ok, true, id);
    }
  });

  it('refuses the same characters in causationId, correlationId and producer', () => {
    assertRefused(wire(placeOrderEnvelope({ causationId: 'a\u202eb' })), 'invalid_envelope');
    assertRefused(wire(placeOrderEnvelope({ correlationId: 'a\rb' })), 'invalid_envelope');
    assertRefused(wire(placeOrderEnvelope({ producer: 'cli\u200f' })), 'invalid_envelope');
  });

  it('refuses a paymentId with control characters, or past 64 characters', () => {
    const paid = (paymentId: string) =>
      wire({ ...stockReservedEnvelope({ type: 'PaymentSucceeded', producer: 'payment' }), data: { orderId: 'order-1', customerId: 'cust-1', amount: 300, paymentId } });

    assertRefused(paid('pay\u00071'), 'invalid_data');
    assertRefused(paid('p'.repeat(65)), 'invalid_data');
    assert.equal(decodeMessage(paid('pay-1')).ok, true);
  });

  it('refuses a refund reason with control or bidi characters, and accepts ordinary text in any script', () => {
    const refund = (reason: string) => wire(placeOrderEnvelope({ type: 'RequestRefund', data: { orderId: 'order-1', reason } }));

    assertRefused(refund('broken\n[error] fake log line'), 'invalid_data');
    assertRefused(refund('broken \u202egnp.exe'), 'invalid_data');
    assert.equal(decodeMessage(refund('arrivé cassé, 壊れていた')).ok, true);
  });
});

describe('decodeMessage: wallets and prices', () => {
  const credit = (amount: number) => wire(placeOrderEnvelope({ type: 'CreditWallet', sagaId: null, data: { customerId: 'cust-1', amount } }));

  it(`refuses a credit above the wallet limit (${MAX_WALLET_BALANCE}) and accepts one at it`, () => {
    assert.equal(decodeMessage(credit(MAX_WALLET_BALANCE)).ok, true);
    const refused = assertRefused(credit(MAX_WALLET_BALANCE + 1), 'invalid_data');
    assert.match(refused.detail, /amount/);
  });

  it('accepts a SetPrice of a sku at any whole amount >= 0 on its subject, and nothing else', () => {
    const setPrice = (data: unknown) => wire(placeOrderEnvelope({ type: 'SetPrice', sagaId: null, data }));

    assert.equal(decodeMessage(setPrice({ sku: 'apple', unitPrice: 0 }), { subject: 'cmd.inventory.SetPrice.apple' }).ok, true);
    assertRefused(setPrice({ sku: 'apple', unitPrice: -1 }), 'invalid_data');
    assertRefused(setPrice({ sku: 'apple', unitPrice: 1.5 }), 'invalid_data');
    assertRefused(setPrice({ sku: 'apple' }), 'invalid_data');
  });

  it('accepts a StockReservationFailed that lists exactly what its reason lists', () => {
    const failed = (data: unknown) => wire({ ...stockReservedEnvelope({ type: 'StockReservationFailed' }), data });
    const base = { orderId: 'order-1' };

    assert.equal(decodeMessage(failed({ ...base, reason: 'out_of_stock', shortages: [{ sku: 'apple', requested: 2, available: 1 }] })).ok, true);
    assert.equal(decodeMessage(failed({ ...base, reason: 'price_mismatch', prices: [{ sku: 'apple', unitPrice: 1, currentPrice: 150 }] })).ok, true);
    assert.equal(decodeMessage(failed({ ...base, reason: 'not_for_sale', notForSale: ['apple'] })).ok, true);
    assert.match(assertRefused(failed({ ...base, reason: 'price_mismatch' }), 'invalid_data').detail, /prices: price_mismatch lists its prices/);
    assert.match(
      assertRefused(failed({ ...base, reason: 'not_for_sale', notForSale: ['apple'], shortages: [{ sku: 'apple', requested: 2, available: 1 }] }), 'invalid_data').detail,
      /shortages: only out_of_stock lists shortages/,
    );
  });
});

// ---- expectedSubject ------------------------------------------------------------------

describe('expectedSubject', () => {
  it('puts an event on evt.<owner>.<type>.<sagaId>.<key> and a command on cmd.<owner>.<type>.<key>', () => {
    const event = decodeMessage(wire(stockReservedEnvelope()));
    const command = decodeMessage(wire(placeOrderEnvelope()));
    assert.ok(event.ok && command.ok);

    assert.equal(expectedSubject(event.def, event.envelope), 'evt.inventory.StockReserved.order-1.cust-1');
    assert.equal(expectedSubject(command.def, command.envelope), 'cmd.order.PlaceOrder.order-1');
    const refused = decodeMessage(wire(createEnvelope('StockReservationFailed', { orderId: 'order-1', reason: 'not_for_sale', notForSale: ['kiwi'] }, { producer: 'inventory', sagaId: 'order-1' })));
    assert.ok(refused.ok);
    assert.equal(expectedSubject(refused.def, refused.envelope), 'evt.inventory.StockReservationFailed.order-1._');
  });
});

// ---- createEnvelope --------------------------------------------------------------------

describe('createEnvelope', () => {
  const now = new Date(occurredAt);

  it('starts a new correlation when there is no cause', () => {
    const envelope = createEnvelope('PlaceOrder', placeOrderData, { producer: 'cli', sagaId: 'order-1', id: 'msg-1', now });

    assert.deepEqual(envelope, {
      id: 'msg-1',
      type: 'PlaceOrder',
      version: 1,
      sagaId: 'order-1',
      causationId: null,
      correlationId: 'msg-1',
      occurredAt,
      producer: 'cli',
      data: placeOrderData,
    });
  });

  it('sets causationId to the cause id and carries the cause correlationId', () => {
    const envelope = createEnvelope('StockReserved', stockReservedData, {
      producer: 'inventory',
      sagaId: 'order-1',
      cause: { id: 'msg-5', correlationId: 'msg-1' },
      id: 'msg-6',
      now,
    });

    assert.equal(envelope.causationId, 'msg-5');
    assert.equal(envelope.correlationId, 'msg-1');
  });

  it('uses the cause id as correlationId when the cause has none', () => {
    const envelope = createEnvelope('StockReserved', stockReservedData, {
      producer: 'inventory',
      sagaId: 'order-1',
      cause: { id: 'msg-5', correlationId: null },
      id: 'msg-6',
      now,
    });

    assert.equal(envelope.causationId, 'msg-5');
    assert.equal(envelope.correlationId, 'msg-5');
  });

  it('stamps the newest version, a fresh id and the current time when none are given', () => {
    const before = Date.now();
    const envelope = createEnvelope('SetStock', { sku: 'apple', quantity: 3 }, { producer: 'cli', sagaId: null });

    assert.equal(envelope.version, latest('SetStock')?.version);
    assert.match(envelope.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(envelope.correlationId, envelope.id);
    assert.ok(Date.parse(envelope.occurredAt) >= before - 1);
  });

  it('drops unknown data fields', () => {
    const data = { ...stockReservedData, coupon: 'FREE' } as typeof stockReservedData;

    const envelope = createEnvelope('StockReserved', data, { producer: 'inventory', sagaId: 'order-1' });

    assert.deepEqual(envelope.data, stockReservedData);
  });

  it('throws ContractError invalid_data when the data breaks the schema', () => {
    assert.throws(
      () => createEnvelope('CreditWallet', { customerId: 'cust-1', amount: 0 }, { producer: 'cli', sagaId: null }),
      (err: unknown) => err instanceof ContractError && err.code === 'invalid_data' && /amount/.test(err.message),
    );
  });

  it('throws ContractError unknown_type for a type the registry does not know', () => {
    assert.throws(
      () => createEnvelope('ShipOrder' as MessageType, {} as never, { producer: 'cli', sagaId: null }),
      (err: unknown) => err instanceof ContractError && err.code === 'unknown_type',
    );
  });

  it('builds envelopes that decode back to themselves on their expected subject', () => {
    const command = createEnvelope('PlaceOrder', placeOrderData, { producer: 'cli', sagaId: 'order-1' });
    const event = createEnvelope('StockReserved', stockReservedData, { producer: 'inventory', sagaId: 'order-1', cause: command });

    const decodedCommand = decodeMessage(wire(command), { subject: commandSubject('order', 'PlaceOrder', 'order-1') });
    const decodedEvent = decodeMessage(wire(event), { subject: eventSubject('inventory', 'StockReserved', 'order-1', 'cust-1') });

    assert.ok(decodedCommand.ok && decodedEvent.ok);
    assert.deepEqual(decodedCommand.envelope, command);
    assert.deepEqual(decodedEvent.envelope, event);
    assert.equal(decodedEvent.envelope.causationId, command.id);
    assert.equal(decodedEvent.envelope.correlationId, command.id);
  });
});

// ---- subjects --------------------------------------------------------------------------

describe('subjects', () => {
  it('builds and parses an event subject back to its parts', () => {
    const subject = eventSubject('inventory', 'StockReserved', 'order-1', 'cust-1');

    assert.equal(subject, 'evt.inventory.StockReserved.order-1.cust-1');
    assert.deepEqual(parseSubject(subject), { kind: 'event', producer: 'inventory', type: 'StockReserved', sagaId: 'order-1', key: 'cust-1', partitions: [] });
    assert.deepEqual(parseSubject(`${subject}.0.2`), { kind: 'event', producer: 'inventory', type: 'StockReserved', sagaId: 'order-1', key: 'cust-1', partitions: ['0', '2'] });
    assert.deepEqual(parseSubject('evt.inventory.StockReserved.order-1'), { kind: 'event', producer: 'inventory', type: 'StockReserved', sagaId: 'order-1', key: null, partitions: [] });
  });

  it('builds and parses a command subject back to its parts', () => {
    const subject = commandSubject('order', 'PlaceOrder', 'order-1');

    assert.equal(subject, 'cmd.order.PlaceOrder.order-1');
    assert.deepEqual(parseSubject(subject), { kind: 'command', service: 'order', type: 'PlaceOrder', key: 'order-1', partitions: [] });
    assert.deepEqual(parseSubject(`${subject}.1`), { kind: 'command', service: 'order', type: 'PlaceOrder', key: 'order-1', partitions: ['1'] });
  });

  it('builds and parses a dead-letter subject back to its parts', () => {
    const subject = dlqSubject('payment', 'StockReserved');

    assert.equal(subject, 'dlq.payment.StockReserved');
    assert.deepEqual(parseSubject(subject), { kind: 'dlq', service: 'payment', type: 'StockReserved' });
  });

  it('builds wildcard filters for one event type and for one whole saga', () => {
    assert.equal(eventFilter('order', 'OrderCreated'), 'evt.order.OrderCreated.>');
    assert.equal(sagaFilter('order-1'), 'evt.*.*.order-1.>');
  });

  it('returns undefined for a subject that is not a jetsaga subject', () => {
    for (const subject of ['', 'evt.order.OrderCreated', 'evt.order.OrderCreated.a.b.c', 'cmd.order', 'cmd.order.PlaceOrder.a.b.c', 'cmd..PlaceOrder', 'foo.a.b', 'dlq.a.b.c']) {
      assert.equal(parseSubject(subject), undefined, subject);
    }
  });
});

// ---- services run once per instance (bank-a, bank-b) ---------------------------------------

describe('a service run once per instance', () => {
  const transfer = { transferId: 'tr-1', from: { bank: 'a', accountId: 'alice' }, to: { bank: 'b', accountId: 'bob' }, amount: 300 };

  it('names its instances bank-<id>; the kind alone, or a bad id, is no service name', () => {
    assert.equal(instanceName('bank', 'a'), 'bank-a');
    assert.deepEqual(parseInstanceName('bank-a1'), { kind: 'bank', id: 'a1' });
    assert.equal(serviceKindOf('bank-a'), 'bank');
    assert.equal(serviceKindOf('order'), 'order');
    for (const name of ['bank', 'bank-', 'bank-A', 'bank-a.b', 'order-a', 'shop']) assert.equal(serviceKindOf(name), undefined, name);
    assert.throws(() => instanceName('bank', 'A'), /bank instance id "A" must be 1-16 characters of a-z 0-9/);
  });

  it('accepts an event from any instance of its producer, on that instance\'s subject', () => {
    const event = createEnvelope('FundsFrozen', transfer, { producer: 'bank-a', sagaId: 'tr-1' });

    const decoded = decodeMessage(wire(event), { subject: 'evt.bank-a.FundsFrozen.tr-1._' });

    assert.ok(decoded.ok, decoded.ok ? '' : decoded.detail);
    assert.equal(expectedSubject(decoded.def, decoded.envelope), 'evt.bank-a.FundsFrozen.tr-1._');
  });

  it('refuses an event produced by the kind itself or another service, and one under another instance\'s subject', () => {
    for (const producer of ['bank', 'transfer']) {
      const event = createEnvelope('FundsFrozen', transfer, { producer, sagaId: 'tr-1' });
      const refused = assertRefused(wire(event), 'invalid_envelope');
      assert.match(refused.detail, /FundsFrozen is produced by an instance of "bank" \(bank-<id>\)/);
    }
    const event = createEnvelope('FundsFrozen', transfer, { producer: 'bank-a', sagaId: 'tr-1' });
    assertRefused(wire(event), 'subject_mismatch', { subject: 'evt.bank-b.FundsFrozen.tr-1._' });
  });

  it('takes a command on the subject of any of its instances, and no other', () => {
    const deposit = createEnvelope('Deposit', { accountId: 'alice', amount: 5 }, { producer: 'cli', sagaId: null });

    assert.equal(decodeMessage(wire(deposit), { subject: 'cmd.bank-b.Deposit._' }).ok, true);
    for (const subject of ['cmd.bank.Deposit._', 'cmd.order.Deposit._', 'cmd.bank-B.Deposit._']) {
      const refused = assertRefused(wire(deposit), 'subject_mismatch', { subject });
      assert.match(refused.detail, /expected "cmd\.bank-<id>\.Deposit\._"/);
    }
  });

  it("refuses a transfer's event on another saga than its transferId (saga_mismatch)", () => {
    const event = createEnvelope('TransferRequested', transfer, { producer: 'transfer', sagaId: 'tr-1' });
    assertRefused(wire({ ...event, sagaId: 'tr-2' }), 'saga_mismatch');
    const welcome = createEnvelope('WelcomePointsAwarded', { customerId: 'c9', points: 100, balance: 100 }, { producer: 'loyalty', sagaId: 'c9' });
    assertRefused(wire({ ...welcome, sagaId: 'c1' }), 'saga_mismatch');
  });

  it('refuses a transfer from an account to itself, and a bank id that is not one', () => {
    assert.throws(() => createEnvelope('RequestTransfer', { ...transfer, to: transfer.from }, { producer: 'cli', sagaId: 'tr-1' }), /same account/);
    assert.throws(() => createEnvelope('RequestTransfer', { ...transfer, to: { bank: 'B-1', accountId: 'bob' } }, { producer: 'cli', sagaId: 'tr-1' }), /to\.bank/);
  });
});

// ---- partitions --------------------------------------------------------------------------

describe('partitions', () => {
  it('places a token as nats-server partition() does: FNV-1a 32 of its bytes, modulo the count', () => {
    // FNV-1a 32 of "a" is 0xe40c292c (the published test vector)
    assert.equal(partitionOf('a', 1000), 0xe40c292c % 1000);
    assert.equal(partitionOf('', 7), 0x811c9dc5 % 7);
    for (let n = 1; n <= 5; n++) for (const key of ['order-1', 'cust-9', 'apple']) assert.ok(partitionOf(key, n) < n);
  });

  it('reads i/N, and says why a partition is not one', () => {
    assert.deepEqual(parsePartition('1/2'), { index: 1, count: 2 });
    for (const bad of ['2/2', '0/0', '1', '-1/2', '0/65', 'a/b']) assert.throws(() => parsePartition(bad), /is not a partition: i\/N/, bad);
  });

  it('maps events to the partitions of their saga and key tokens, commands to that of their key', () => {
    const m = partitionMappings(4);
    assert.equal(m['evt.*.*.*.*'], 'evt.{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}.{{wildcard(4)}}.{{partition(4,3)}}.{{partition(4,4)}}');
    assert.equal(m['cmd.*.*.*'], 'cmd.{{wildcard(1)}}.{{wildcard(2)}}.{{wildcard(3)}}.{{partition(4,3)}}');
  });
});
