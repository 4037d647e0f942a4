import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTraceparent } from './trace-context.js';
import { startStepSpan } from './tracing.js';

describe('a step span while no spans are exported', () => {
  const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

  it('gives what the step emits the incoming trace with a new span id, without building the attributes', () => {
    let built = 0;
    const span = startStepSpan('order-PlaceOrder PlaceOrder', parent, () => {
      built++;
      return { 'jetsaga.saga_id': 'o-1' };
    });
    const child = parseTraceparent(span.traceparent);
    assert.equal(child?.traceId, '0af7651916cd43dd8448eb211c80319c');
    assert.notEqual(child?.spanId, 'b7ad6b7169203331');
    assert.equal(child?.flags, '01');
    span.end(new Error('ignored'));
    assert.equal(built, 0);
  });

  it('starts a new trace when the incoming traceparent is missing or malformed', () => {
    for (const bad of [undefined, null, 'not-a-traceparent']) {
      const span = startStepSpan('timer deadline', bad, () => ({}));
      const child = parseTraceparent(span.traceparent);
      assert.ok(child, `a valid traceparent for ${String(bad)}`);
      assert.notEqual(child.traceId, '0'.repeat(32));
    }
  });
});
