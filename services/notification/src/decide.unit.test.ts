import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CancelReason, cancelReasons, type OrderCancelledData, type OrderConfirmedData, type OrderRefundedData } from '@jetsaga/events';
import { message, routerSpec } from '@jetsaga/messaging';
import { money, type Notification, type NotificationState } from './decide.js';
import { type NotificationInput, noticeOf, react } from './react.js';
import { JsonLinesFileSender } from './senders.js';

// ---- given helpers ------------------------------------------------------------------

const spec = routerSpec(react, { settings: { maxAttempts: 3, pollMs: 50, sender: { kind: 'file', file: undefined } } });

/** No notice of this (order, kind) recorded yet. */
const notRecorded: NotificationState = { recorded: false };

const summary = {
  orderId: 'order-1',
  customerId: 'cust-1',
  items: [
    { sku: 'apple', quantity: 2, unitPrice: 150 },
    { sku: 'pear', quantity: 1, unitPrice: 2_345 },
  ],
  total: 2_645,
};

const confirmedEvent: OrderConfirmedData = summary;

function cancelledEvent(reason: CancelReason): OrderCancelledData {
  return { ...summary, reason };
}

const refundedEvent: OrderRefundedData = { ...summary, reason: 'arrived damaged' };

/** The id of the notification the router records for `input` (it must record one). */
function recordedId(input: NotificationInput): string {
  const recorded = spec.given(notRecorded).when(input).decision().changes?.notification;
  assert.ok(recorded, `no notification recorded for ${input.type}`);
  return recorded.id;
}

function notice(orderId: string, kind: Notification['kind'] = 'confirmed'): Notification {
  return { id: `${orderId}:${kind}`, orderId, kind, customerId: 'cust-1', message: `Your order ${orderId} is ${kind}.` };
}

// ---- money ----------------------------------------------------------------------------

describe('money', () => {
  it('formats minor units as units with two decimals', () => {
    assert.equal(money(2_645), '26.45');
    assert.equal(money(100), '1.00');
    assert.equal(money(1_234_567), '12345.67');
  });

  it('pads amounts under one unit with a leading 0', () => {
    assert.equal(money(0), '0.00');
    assert.equal(money(5), '0.05');
    assert.equal(money(99), '0.99');
  });

  it('keeps every cent exact for amounts whose tenths are not exact in binary', () => {
    for (const minor of [1, 10, 115, 1_005, 2_675, 10_001, 99_999]) {
      assert.equal(money(minor), `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`);
    }
  });
});

// ---- the router: each finished order gets its notice, once ---------------------------------

describe('OrderConfirmed', () => {
  it('records the confirmed notification of the order with the total paid', () => {
    spec
      .given(notRecorded)
      .when(message('OrderConfirmed', confirmedEvent))
      .then({
        changes: {
          notification: {
            id: 'order-1:confirmed',
            orderId: 'order-1',
            customerId: 'cust-1',
            kind: 'confirmed',
            message: 'Your order order-1 is confirmed: 26.45 paid.',
          },
        },
      });
  });

  it('builds the same notification, with the same id, from a redelivered event', () => {
    const first = spec.given(notRecorded).when(message('OrderConfirmed', confirmedEvent)).decision();
    const again = spec.given(notRecorded).when(message('OrderConfirmed', { ...confirmedEvent })).decision();

    assert.deepEqual(again, first);
  });
});

describe('OrderCancelled', () => {
  const explained: Record<CancelReason, string> = {
    out_of_stock: 'some items are out of stock',
    price_mismatch: 'the price of some items has changed (please check the current prices and order again)',
    not_for_sale: 'some items are not for sale',
    payment_failed: 'the payment did not go through',
    timeout: 'it could not be completed in time',
    manual: 'it was cancelled by our staff',
  };

  for (const reason of cancelReasons) {
    it(`records the cancelled notification explaining ${reason}`, () => {
      spec
        .given(notRecorded)
        .when(message('OrderCancelled', cancelledEvent(reason)))
        .then({
          changes: {
            notification: {
              id: 'order-1:cancelled',
              orderId: 'order-1',
              customerId: 'cust-1',
              kind: 'cancelled',
              message: `Your order order-1 was cancelled: ${explained[reason]}. Any payment is refunded.`,
            },
          },
        });
    });
  }

  it('keeps one id per order whatever the reason, so a second cancellation is the same notification', () => {
    assert.equal(recordedId(message('OrderCancelled', cancelledEvent('timeout'))), recordedId(message('OrderCancelled', cancelledEvent('payment_failed'))));
  });
});

describe('OrderRefunded', () => {
  it('records the refunded notification of the order with the amount back in the wallet', () => {
    spec
      .given(notRecorded)
      .when(message('OrderRefunded', refundedEvent))
      .then({
        changes: {
          notification: {
            id: 'order-1:refunded',
            orderId: 'order-1',
            customerId: 'cust-1',
            kind: 'refunded',
            message: 'Your order order-1 was refunded: 26.45 is back in your wallet.',
          },
        },
      });
  });
});

describe('one notification per (order, kind)', () => {
  const inputs: NotificationInput[] = [
    message('OrderConfirmed', confirmedEvent),
    message('OrderCancelled', cancelledEvent('timeout')),
    message('OrderRefunded', refundedEvent),
    message('OrderConfirmed', { ...confirmedEvent, orderId: 'order-2' }),
  ];

  it('gives each kind of the same order its own id, and the same kind of another order another id', () => {
    assert.deepEqual(inputs.map(recordedId), ['order-1:confirmed', 'order-1:cancelled', 'order-1:refunded', 'order-2:confirmed']);
  });

  it('records the notice under the id the store looks up to tell whether it is recorded already (noticeOf)', () => {
    for (const input of inputs) assert.equal(recordedId(input), noticeOf(input).id);
  });

  for (const input of inputs.slice(0, 3)) {
    it(`then nothing happens when the ${input.type} notice of the order is recorded already`, () => {
      spec.given({ recorded: true }).when(input).thenNothing();
    });
  }
});

// ---- JsonLinesFileSender ------------------------------------------------------------

describe('JsonLinesFileSender', () => {
  let dir = '';
  let n = 0;
  /** A fresh file path per test, inside one temp dir removed at the end. */
  const freshFile = () => {
    const caseDir = join(dir, `case-${++n}`);
    mkdirSync(caseDir, { recursive: true });
    return join(caseDir, 'notifications.jsonl');
  };
  const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n');
  const idsIn = (file: string) =>
    linesOf(file)
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { id: string }).id);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jetsaga-notify-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the missing directory and appends one JSON line per notification, stamped with sentAt', async () => {
    // given no file yet
    const file = freshFile();
    const sender = new JsonLinesFileSender(file);

    // when two notifications are sent
    await sender.send(notice('order-1'));
    await sender.send(notice('order-2'));

    // then each is one line: the notification plus an ISO sentAt
    const lines = linesOf(file);
    assert.equal(lines.at(-1), '', 'the file ends with a newline');
    const written = lines.slice(0, -1).map((l) => JSON.parse(l) as Notification & { sentAt: string });
    assert.deepEqual(
      written.map(({ sentAt, ...rest }) => rest),
      [notice('order-1'), notice('order-2')],
    );
    for (const { sentAt } of written) assert.equal(new Date(sentAt).toISOString(), sentAt);
    assert.equal(sender.name, 'file');
  });

  it('then nothing is written when the same notification is sent again', async () => {
    const file = freshFile();
    const sender = new JsonLinesFileSender(file);

    await sender.send(notice('order-1'));
    const once = readFileSync(file, 'utf8');
    await sender.send(notice('order-1'));

    assert.equal(readFileSync(file, 'utf8'), once);
  });

  it('writes several notifications in one append, skipping those already written and repeats within the batch', async () => {
    const file = freshFile();
    const sender = new JsonLinesFileSender(file);
    await sender.send(notice('order-1'));

    await sender.sendAll([notice('order-1'), notice('order-2'), notice('order-3'), notice('order-2')]);

    assert.deepEqual(idsIn(file), ['order-1:confirmed', 'order-2:confirmed', 'order-3:confirmed']);
  });

  it('remembers only the most recent ids, so its memory stays bounded', async () => {
    // given a sender that remembers 2 ids
    const file = freshFile();
    const sender = new JsonLinesFileSender(file, 2);

    // when 3 are written, then the oldest is sent again
    await sender.sendAll([notice('order-1'), notice('order-2'), notice('order-3')]);
    await sender.send(notice('order-3'));
    await sender.send(notice('order-1'));

    // then the recent one was still known, and the forgotten oldest one is written again
    assert.deepEqual(idsIn(file), ['order-1:confirmed', 'order-2:confirmed', 'order-3:confirmed', 'order-1:confirmed']);
  });

  it('writes two kinds of the same order as two notifications', async () => {
    const file = freshFile();
    const sender = new JsonLinesFileSender(file);

    await sender.send(notice('order-1', 'confirmed'));
    await sender.send(notice('order-1', 'refunded'));

    assert.deepEqual(idsIn(file), ['order-1:confirmed', 'order-1:refunded']);
  });

  it('then nothing is written when a new instance on the same file is sent a notification written before a crash', async () => {
    // given a notification was written, then the process crashed before marking it sent
    const file = freshFile();
    await new JsonLinesFileSender(file).send(notice('order-1'));
    const before = readFileSync(file, 'utf8');

    // when the restarted service (a new sender) delivers it again
    const restarted = new JsonLinesFileSender(file);
    await restarted.send(notice('order-1'));

    // then the file is unchanged, and a new notification is still appended
    assert.equal(readFileSync(file, 'utf8'), before);
    await restarted.send(notice('order-2'));
    assert.deepEqual(idsIn(file), ['order-1:confirmed', 'order-2:confirmed']);
  });

  it('does not create the file until something is sent', () => {
    const file = freshFile();

    new JsonLinesFileSender(file);

    assert.equal(existsSync(file), false);
  });

  it('tolerates a torn last line: the complete lines still count as sent, and the torn notification is written again', async () => {
    // given a file whose last write was cut short by a crash
    const file = freshFile();
    await new JsonLinesFileSender(file).send(notice('order-1'));
    appendFileSync(file, '{"id":"order-2:confirmed","orderId":"ord');
    const before = readFileSync(file, 'utf8');

    // when a new instance opens it (it does not throw) and both notifications are delivered again
    const restarted = new JsonLinesFileSender(file);
    await restarted.send(notice('order-1'));
    await restarted.send(notice('order-2'));

    // then what was there is kept, order-1 is not written again, and order-2 is appended once
    const text = readFileSync(file, 'utf8');
    assert.ok(text.startsWith(before), text);
    const appended = text.slice(before.length).replace(/^\n/, '');
    assert.ok(appended.endsWith('}\n') && !appended.slice(0, -1).includes('\n'), `one line appended: ${JSON.stringify(appended)}`);
    const { sentAt, ...rest } = JSON.parse(appended) as Notification & { sentAt: string };
    assert.deepEqual(rest, notice('order-2'));
    assert.equal(new Date(sentAt).toISOString(), sentAt);
  });

  it('ignores blank lines', async () => {
    const file = freshFile();
    await new JsonLinesFileSender(file).send(notice('order-1'));
    appendFileSync(file, '\n   \n');

    const restarted = new JsonLinesFileSender(file);
    await restarted.send(notice('order-1'));

    assert.deepEqual(idsIn(file), ['order-1:confirmed']);
  });

  it(
    'keeps every line parseable after a torn last line, so a notification re-written after the crash is not written a third time',
    async () => {
      // given a torn last line without its newline
      const file = freshFile();
      writeFileSync(file, `${JSON.stringify(notice('order-1'))}\n{"id":"order-2:confirmed","orderId":"ord`);

      // when a restarted sender writes order-2 again, and then crashes again before marking it sent
      await new JsonLinesFileSender(file).send(notice('order-2'));
      await new JsonLinesFileSender(file).send(notice('order-2'));

      // then order-2 is on its own line, written once after the fragment
      const parseable = linesOf(file).filter((l) => {
        try {
          JSON.parse(l);
          return true;
        } catch {
          return false;
        }
      });
      assert.deepEqual(
        parseable.map((l) => (JSON.parse(l) as { id: string }).id),
        ['order-1:confirmed', 'order-2:confirmed'],
      );
    },
  );
});

// ---- CustomerRegistered: the welcome notice ------------------------------------------------

describe('CustomerRegistered', () => {
  const registered = message('CustomerRegistered', { customerId: 'c9', email: 'c9@example.com' }, 'c9');

  it('records one welcome notice per customer, about no order', () => {
    spec
      .given(notRecorded)
      .when(registered)
      .then({ changes: { notification: { id: 'c9:welcome', orderId: null, customerId: 'c9', kind: 'welcome', message: 'Welcome, c9: you are registered (c9@example.com).' } } });
  });

  it('then nothing happens when the welcome is recorded already', () => {
    spec.given({ recorded: true }).when(registered).thenNothing();
  });
});
