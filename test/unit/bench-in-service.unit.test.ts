import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handlerTotalsOf, inServiceTimes } from '../bench/in-service.js';

const body = (placeSum: number, placeCount: number, paidSum: number, paidCount: number) => `
# HELP jetsaga_handler_duration_seconds Time from delivery to commit of a handled message
# TYPE jetsaga_handler_duration_seconds histogram
jetsaga_handler_duration_seconds_bucket{le="0.0005",service="order",type="PlaceOrder"} ${placeCount}
jetsaga_handler_duration_seconds_sum{service="order",type="PlaceOrder"} ${placeSum}
jetsaga_handler_duration_seconds_count{service="order",type="PlaceOrder"} ${placeCount}
jetsaga_handler_duration_seconds_sum{service="order",type="PaymentFailed"} ${paidSum}
jetsaga_handler_duration_seconds_count{service="order",type="PaymentFailed"} ${paidCount}
jetsaga_messages_total{service="order",type="PlaceOrder",outcome="handled"} ${placeCount}
`;

describe('the bench: time in the services at 1 in flight, from their /metrics', () => {
  it('reads the handler sum and count of each type a service handles', () => {
    // given a /metrics body with two handled types
    // when it is read
    const totals = handlerTotalsOf('order', body(0.5, 2000, 0.01, 30));
    // then each type has its sum and its count
    assert.deepEqual([...totals], [
      ['order PlaceOrder', { seconds: 0.5, count: 2000 }],
      ['order PaymentFailed', { seconds: 0.01, count: 30 }],
    ]);
  });

  it('gives the mean per message and the messages per saga of the window between two scrapes', () => {
    // given 1,000 sagas between two scrapes: 1,000 PlaceOrder taking 0.25 s in all, 40 PaymentFailed
    const before = handlerTotalsOf('order', body(0.5, 2000, 0.01, 30));
    const after = handlerTotalsOf('order', body(0.75, 3000, 0.02, 70));
    // when the window is computed
    const times = inServiceTimes(before, after, 1000);
    // then PlaceOrder took 0.25 ms a message, once a saga, and PaymentFailed 0.25 ms, 0.04 a saga
    assert.equal(times.length, 1, 'PaymentFailed, under 5% of the sagas, is left out');
    assert.equal(times[0]!.service, 'order');
    assert.equal(times[0]!.type, 'PlaceOrder');
    assert.equal(times[0]!.perSaga, 1);
    assert.ok(Math.abs(times[0]!.meanMs - 0.25) < 1e-9, `mean ${times[0]!.meanMs}`);
    assert.equal(inServiceTimes(before, after, 1000, 0.01).find((t) => t.type === 'PaymentFailed')?.perSaga, 0.04);
  });

  it('counts a type first seen after the first scrape from zero', () => {
    const before = handlerTotalsOf('order', '');
    const after = handlerTotalsOf('order', body(0.3, 1000, 0, 0));
    assert.deepEqual(inServiceTimes(before, after, 1000).map((t) => [t.type, t.perSaga]), [['PlaceOrder', 1]]);
  });
});
