import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BROKEN, CONFIGS, formatResult, runModel, runOne } from './run-spin.js';

/**
 * Inventory as partitions (test/model/parts.pml) under spin: one order whose skus live in two
 * partitions, every interleaving of their consumers, with each partition short or not, payment
 * capturing or failing, the deadline at any point, kept holds on or off. The configurations
 * check clean; a partition that keeps its hold after another refused, and a deciding partition
 * that answers before every part did, each yield a counterexample. The code's side of the
 * same rules: services/inventory/src/parts.unit.test.ts.
 */
describe('inventory partitions model (spin)', () => {
  it('every configuration checks clean: safety exhaustively, liveness with weak fairness', () => {
    const lines: string[] = [];
    const results = runModel({ saga: 'parts', log: (l) => lines.push(l) });
    assert.equal(results.filter((r) => r.mode === 'safety').length, 5);
    assert.equal(results.filter((r) => r.mode === 'liveness').length, 5);
    for (const r of results) assert.ok(r.ok && r.statesStored > 0 && r.complete, `${r.mode} ${r.config}:\n${lines.join('\n')}`);
  });

  for (const [rule, violation] of [
    ['keep-on-refusal', 'no_partial_hold_after_refusal'],
    ['decide-early', 'confirmed_is_committed_everywhere'],
  ] as const) {
    it(`a broken rule (${BROKEN[rule].about}) makes spin report ${violation}`, () => {
      const r = runOne({ config: CONFIGS[BROKEN[rule].config]!, mode: 'safety', extra: { [BROKEN[rule].define]: true }, shortest: true, quick: true });
      assert.ok(r.counterexample, `spin found no counterexample:\n${formatResult(r)}`);
      assert.equal(r.counterexample.saga, 'parts');
      assert.equal(r.counterexample.violation, violation);
      assert.ok(r.counterexample.steps.some((s) => s.service.startsWith('inventory-p')), JSON.stringify(r.counterexample.steps));
    });
  }
});
