import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEnvelope } from './create.js';
import { DEFAULT_MAX_BYTES, decodeMessage, expectedSubject } from './decode.js';
import { ContractError } from './errors.js';
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

    const decoded = decodeMessage(wire(envelope), { subject: 'cmd.order.PlaceOrder' });

    assert.equal(decoded.ok, true);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.envelope, envelope);
    assert.equal(decoded.def, lookup('PlaceOrder', 1));
  });

  it('accepts a valid StockReserved event from bytes on its saga subject', () => {
    const envelope = stockReservedEnvelope();

    const decoded = decodeMessage(new TextEncoder().encode(wire(envelope)), {
      subject: 'evt.inventory.StockReserved.order-1',
    });

    assert.ok(decoded.ok);
    assert.deepEqual(decoded.envelope, envelope);
    assert.equal(decoded.def.kind, 'event');
    assert.equal(decoded.def.type, 'StockReserved');
  });

  it('accepts a command without a sagaKey when its sagaId is null', () => {
    const envelope = placeOrderEnvelope({ type: 'SetStock', sagaId: null, data: { sku: 'apple', quantity: 10 } });

    const decoded = decodeMessage(wire(envelope), { subject: 'cmd.inventory.SetStock' });

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
    assertRefused(wire(placeOrderEnvelope()), 'subject_mismatch', { subject: 'cmd.inventory.PlaceOrder' });
    assertRefused(wire(stockReservedEnvelope()), 'subject_mismatch', { subject: 'evt.inventory.StockReserved.order-2' });
    assertRefused(wire(stockReservedEnvelope()), 'subject_mismatch', { subject: 'evt.payment.StockReserved.order-1' });
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
});

// ---- expectedSubject ------------------------------------------------------------------

describe('expectedSubject', () => {
  it('puts an event on evt.<owner>.<type>.<sagaId> and a command on cmd.<owner>.<type>', () => {
    const event = decodeMessage(wire(stockReservedEnvelope()));
    const command = decodeMessage(wire(placeOrderEnvelope()));
    assert.ok(event.ok && command.ok);

    assert.equal(expectedSubject(event.def, event.envelope), 'evt.inventory.StockReserved.order-1');
    assert.equal(expectedSubject(command.def, command.envelope), 'cmd.order.PlaceOrder');
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

    const decodedCommand = decodeMessage(wire(command), { subject: commandSubject('order', 'PlaceOrder') });
    const decodedEvent = decodeMessage(wire(event), { subject: eventSubject('inventory', 'StockReserved', 'order-1') });

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
    const subject = eventSubject('inventory', 'StockReserved', 'order-1');

    assert.equal(subject, 'evt.inventory.StockReserved.order-1');
    assert.deepEqual(parseSubject(subject), { kind: 'event', producer: 'inventory', type: 'StockReserved', sagaId: 'order-1' });
  });

  it('builds and parses a command subject back to its parts', () => {
    const subject = commandSubject('order', 'PlaceOrder');

    assert.equal(subject, 'cmd.order.PlaceOrder');
    assert.deepEqual(parseSubject(subject), { kind: 'command', service: 'order', type: 'PlaceOrder' });
  });

  it('builds and parses a dead-letter subject back to its parts', () => {
    const subject = dlqSubject('payment', 'StockReserved');

    assert.equal(subject, 'dlq.payment.StockReserved');
    assert.deepEqual(parseSubject(subject), { kind: 'dlq', service: 'payment', type: 'StockReserved' });
  });

  it('builds wildcard filters for one event type and for one whole saga', () => {
    assert.equal(eventFilter('order', 'OrderCreated'), 'evt.order.OrderCreated.*');
    assert.equal(sagaFilter('order-1'), 'evt.*.*.order-1');
  });

  it('returns undefined for a subject that is not a jetsaga subject', () => {
    for (const subject of ['', 'evt.order.OrderCreated', 'evt.order.OrderCreated.a.b', 'cmd.order', 'cmd..PlaceOrder', 'foo.a.b', 'dlq.a.b.c']) {
      assert.equal(parseSubject(subject), undefined, subject);
    }
  });
});
