import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runChaos } from './chaos/run-chaos.js';

describe('a short chaos run', () => {
  it('ends every saga and keeps every invariant while services and the broker are killed and paused', async () => {
    // given / when: 200 orders over 24 s, a kill, broker restart or pause every 1.5 s
    const report = await runChaos({
      orders: 200,
      durationMs: 24_000,
      killEveryMs: 1_500,
      seed: 7,
      clients: 3,
      duplicateRatio: 0.05,
      ackWaitMs: 2_000,
      deadlineMs: 15_000,
      settleMs: 60_000,
    });
    // then
    const kinds = new Set(report.actions.map((a) => a.action.kind));
    assert.deepEqual(kinds, new Set(process.env.NATS_URL ? ['kill', 'pause'] : ['kill', 'broker', 'pause']), 'every kind of chaos happened');
    assert.equal(report.ordersPlaced, 200);
    assert.deepEqual(report.missing, [], 'every order was created');
    assert.deepEqual(report.notTerminal, [], 'every saga ended');
    assert.deepEqual(report.violations, [], 'every invariant holds');
    assert.deepEqual(report.deadLetters, [], 'no dead letters');
    assert.ok((report.outcomes.CONFIRMED ?? 0) > 0 && (report.outcomes.CANCELLED ?? 0) > 0, 'both outcomes occurred');
  });
});
