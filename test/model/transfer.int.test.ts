import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { react as bankReact } from '../../services/bank/src/react.js';
import { createTransferWorld, type TransferRouters } from './in-memory-transfer.js';
import { replay, ReplayDivergence } from './replay.js';
import { BROKEN, CONFIGS, type Counterexample, formatResult, runModel, runOne } from './run-spin.js';

/**
 * The transfer saga's model (test/model/transfer.pml) under spin: the bounded configurations
 * check clean, a bank that ignores its freeze tombstone yields a counterexample, and that trail,
 * replayed through the real routers (services/transfer, services/bank react.ts) with the bank's
 * router wrapped to break the same rule, leaves a freeze behind in the code too.
 */

/** BROKEN_TOMBSTONE: the bank routes TransferRequested as if a CANCELLED freeze were no freeze at all. */
const freezeTombstoneIgnored: Partial<TransferRouters> = {
  bank: (state, input, ctx) => bankReact(input.type === 'TransferRequested' && state.freeze?.status === 'CANCELLED' ? { ...state, freeze: undefined } : state, input, ctx),
};

let trail: Counterexample | undefined;
function freezeTombstoneTrail(): Counterexample {
  if (!trail) {
    const r = runOne({ config: CONFIGS[BROKEN['freeze-tombstone'].config]!, mode: 'safety', extra: { MAXCRASH: 1, MAXDUP: 1, [BROKEN['freeze-tombstone'].define]: true }, shortest: true, quick: true });
    assert.ok(r.counterexample, `spin found no counterexample:\n${formatResult(r)}`);
    trail = r.counterexample;
  }
  return trail;
}

function replayed(ce: Counterexample, routers: Partial<TransferRouters>, strict = true) {
  const world = createTransferWorld({ deposits: ce.deposits!, transfers: ce.transfers! }, routers);
  const perStep: string[][] = [];
  const result = replay(ce.steps, world.handlers, {
    strict,
    command: (step) => ce.transfers!.find((t) => t.transferId === step.orderId)!,
    afterStep: () => perStep.push(world.violations()),
  });
  return { world, result, perStep };
}

describe('transfer saga model (spin)', () => {
  it('the bounded transfer configurations check clean: safety exhaustively, liveness with weak fairness', () => {
    const lines: string[] = [];
    const results = runModel({ saga: 'transfer', bounded: true, log: (l) => lines.push(l) });
    assert.ok(results.length >= 4 && results.some((r) => r.mode === 'liveness'));
    for (const r of results) assert.ok(r.ok && r.statesStored > 0 && r.complete, `${r.mode} ${r.config}:\n${lines.join('\n')}`);
  });

  it('a bank that ignores its freeze tombstone makes spin report a freeze left behind', () => {
    const ce = freezeTombstoneTrail();
    assert.equal(ce.saga, 'transfer');
    assert.equal(ce.violation, 'no_freeze_left_behind');
  });

  it('the trail, replayed through the bank router wrapped to ignore the tombstone, leaves a freeze behind in the code', () => {
    const ce = freezeTombstoneTrail();
    const { world, result, perStep } = replayed(ce, freezeTombstoneIgnored);
    assert.equal(result.skipped.length, 0, 'every step had its message in the code');
    assert.deepEqual(perStep.flat(), [], 'no invariant of every state broke on the way');
    assert.deepEqual(world.deadLetters, []);
    assert.ok(world.violations({ quiescent: true }).includes(ce.violation), world.violations({ quiescent: true }).join(', '));
    const stuck = [...world.banks.get('a')!.freezes.values()].filter((f) => f.status === 'FROZEN' && world.transfers.get(f.transferId)?.status === 'FAILED');
    assert.equal(stuck.length, 1, 'a failed transfer keeps money frozen');
  });

  it('the same trail through the real routers breaks nothing: the late freeze never happens', () => {
    const ce = freezeTombstoneTrail();
    assert.throws(() => replayed(ce, {}), ReplayDivergence);
    const { world, result, perStep } = replayed(ce, {}, false);
    assert.ok(result.skipped.length > 0);
    assert.deepEqual(perStep.flat(), []);
    assert.deepEqual(world.deadLetters, []);
    assert.ok(!world.violations({ quiescent: true }).includes(ce.violation), world.violations({ quiescent: true }).join(', '));
  });
});
