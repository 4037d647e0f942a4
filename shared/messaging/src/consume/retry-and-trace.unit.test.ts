import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRetryPolicy, retryDelayMs, type RetryPolicy, shouldRetry } from './retry-policy.js';
import { isLeadershipChange } from './consumer-loop.js';
import { childTraceparent, traceIdOf } from '../observe/trace-context.js';

// ---- given helpers ------------------------------------------------------------------

const noJitter = () => 0.5; // random() * 2 - 1 === 0
const lowest = () => 0; // spread = -jitter
const highest = () => 1 - Number.EPSILON; // spread just under +jitter

const policy: RetryPolicy = { maxDeliver: 5, baseMs: 100, factor: 2, capMs: 1_000, jitter: 0.25 };

// ---- retryDelayMs ----------------------------------------------------------------------

describe('retryDelayMs', () => {
  it('grows the delay exponentially from baseMs with each delivery', () => {
    const delays = [1, 2, 3, 4].map((n) => retryDelayMs(policy, n, noJitter));

    assert.deepEqual(delays, [100, 200, 400, 800]);
  });

  it('caps the delay at capMs once the exponential passes it', () => {
    const delays = [5, 6, 20, 1000].map((n) => retryDelayMs(policy, n, noJitter));

    assert.deepEqual(delays, [1_000, 1_000, 1_000, 1_000]);
  });

  it('treats a delivery count of 0 like the first delivery', () => {
    assert.equal(retryDelayMs(policy, 0, noJitter), 100);
  });

  it('follows the default policy: 200ms doubling up to 30s', () => {
    const delays = [1, 2, 3, 4, 5, 8, 9].map((n) => retryDelayMs(defaultRetryPolicy, n, noJitter));

    assert.deepEqual(delays, [200, 400, 800, 1_600, 3_200, 25_600, 30_000]);
  });

  it('spreads the delay by at most ±jitter of its value', () => {
    assert.equal(retryDelayMs(policy, 3, lowest), 300); // 400 - 25%
    assert.equal(retryDelayMs(policy, 3, highest), 500); // 400 + 25%, rounded
    assert.equal(retryDelayMs(policy, 10, lowest), 750); // capped 1000 - 25%
    assert.equal(retryDelayMs(policy, 10, highest), 1_250); // capped 1000 + 25%, rounded

    for (let i = 0; i <= 100; i++) {
      const r = i / 100;
      const delay = retryDelayMs(policy, 3, () => r);
      assert.ok(delay >= 300 && delay <= 500, `random ${r} gave ${delay}`);
    }
  });

  it('moves the delay linearly with the random draw', () => {
    assert.equal(retryDelayMs(policy, 3, () => 0.25), 350);
    assert.equal(retryDelayMs(policy, 3, () => 0.75), 450);
  });

  it('never returns a negative delay, even with a jitter over 1', () => {
    assert.equal(retryDelayMs({ ...policy, jitter: 2 }, 1, lowest), 0);
  });

  it('returns exactly the exponential delay when jitter is 0, whatever the draw', () => {
    assert.equal(retryDelayMs({ ...policy, jitter: 0 }, 2, lowest), 200);
    assert.equal(retryDelayMs({ ...policy, jitter: 0 }, 2, highest), 200);
  });
});

// ---- shouldRetry -----------------------------------------------------------------------

describe('shouldRetry', () => {
  it('retries every delivery before maxDeliver', () => {
    assert.deepEqual([1, 2, 3, 4].map((n) => shouldRetry(policy, n)), [true, true, true, true]);
  });

  it('stops retrying at maxDeliver and after it', () => {
    assert.equal(shouldRetry(policy, 5), false);
    assert.equal(shouldRetry(policy, 6), false);
  });

  it('never retries when maxDeliver is 1', () => {
    assert.equal(shouldRetry({ ...policy, maxDeliver: 1 }, 1), false);
  });
});

// ---- childTraceparent ------------------------------------------------------------------

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

describe('childTraceparent', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parentSpan = '00f067aa0ba902b7';
  const parent = `00-${traceId}-${parentSpan}-01`;

  it('keeps the trace id and flags of a valid parent and picks a new span id', () => {
    const child = childTraceparent(parent);

    assert.match(child, TRACEPARENT);
    assert.equal(traceIdOf(child), traceId);
    assert.ok(child.startsWith(`00-${traceId}-`));
    assert.ok(child.endsWith('-01'));
    assert.notEqual(child.split('-')[2], parentSpan);
  });

  it('keeps an unsampled flag of the parent', () => {
    const child = childTraceparent(`00-${traceId}-${parentSpan}-00`);

    assert.equal(traceIdOf(child), traceId);
    assert.ok(child.endsWith('-00'));
  });

  it('gives each child of the same parent its own span id', () => {
    const a = childTraceparent(parent);
    const b = childTraceparent(parent);

    assert.equal(traceIdOf(a), traceIdOf(b));
    assert.notEqual(a, b);
  });

  for (const [name, value] of [
    ['absent (undefined)', undefined],
    ['null', null],
    ['empty', ''],
    ['garbage', 'not-a-traceparent'],
    ['an unknown version', `01-${traceId}-${parentSpan}-01`],
    ['an upper-case trace id', `00-${traceId.toUpperCase()}-${parentSpan}-01`],
    ['a short trace id', `00-${traceId.slice(1)}-${parentSpan}-01`],
    ['trailing junk', `${parent}-extra`],
  ] as const) {
    it(`starts a fresh sampled trace when the parent is ${name}`, () => {
      const child = childTraceparent(value);

      assert.match(child, TRACEPARENT);
      assert.notEqual(traceIdOf(child), traceId);
      assert.ok(child.endsWith('-01'));
    });
  }

  it('starts a different trace each time there is no parent', () => {
    assert.notEqual(traceIdOf(childTraceparent()), traceIdOf(childTraceparent()));
  });
});

describe('traceIdOf', () => {
  it('reads the trace id of a valid traceparent and nothing from an invalid one', () => {
    assert.equal(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(traceIdOf('nope'), undefined);
    assert.equal(traceIdOf(null), undefined);
    assert.equal(traceIdOf(undefined), undefined);
  });
});

describe('childTraceparent with an all-zero parent', () => {
  it('starts a new trace, since all-zero ids are invalid', () => {
    const zeroTrace = '0'.repeat(32);
    const next = childTraceparent(`00-${zeroTrace}-00f067aa0ba902b7-01`);
    assert.match(next, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.notEqual(next.split('-')[1], zeroTrace);
  });
});

// ---- pull status on a cluster -----------------------------------------------------------

describe('a pull told its consumer leader changed', () => {
  it('is recognised from the status nats.js 2.29 reports for nats-server\'s "409 Leadership Change"', () => {
    assert.equal(isLeadershipChange({ type: 'debug', data: '409 leadership change' }), true);
    assert.equal(isLeadershipChange({ type: 'debug', data: '409 Leadership Change' }), true);
  });
  it('is not confused with other statuses', () => {
    assert.equal(isLeadershipChange({ type: 'debug', data: '409 consumer deleted' }), false);
    assert.equal(isLeadershipChange({ type: 'debug', data: '408 request timeout' }), false);
    assert.equal(isLeadershipChange({ type: 'heartbeats_missed', data: 2 }), false);
  });
});
