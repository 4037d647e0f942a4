import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { react as inventoryReact } from '../../services/inventory/src/react.js';
import { react as paymentReact } from '../../services/payment/src/react.js';
import { createWorld, type Routers } from './in-memory.js';
import { replay, ReplayDivergence } from './replay.js';
import { BROKEN, CONFIGS, type BrokenRule, type Counterexample, formatResult, runModel, runOne, type RunResult } from './run-spin.js';

/**
 * The protocol model (test/model/saga.pml) under spin: the bounded configurations check clean,
 * each deliberately broken rule yields a counterexample, and a counterexample replayed through
 * the services' real routers (react.ts), with the same rule broken by a wrapper around the
 * router, breaks the same invariant in the code. Needs spin and gcc (apt-get install -y spin gcc).
 */

/** The model's broken rules, as wrappers around the real routers (what they hide from the state). */
const brokenRules: Partial<Record<BrokenRule, Partial<Routers>>> = {
  // BROKEN_TOMBSTONE: inventory routes OrderCreated as if a CANCELLED reservation (tombstone) were no reservation at all
  tombstone: {
    inventory: (state, input, ctx) =>
      inventoryReact(input.type === 'OrderCreated' && state.reservation?.status === 'CANCELLED' ? { ...state, reservation: undefined } : state, input, ctx),
  },
  // BROKEN_DOUBLE_CHARGE: payment routes StockReserved without the order's payment row (no one-payment-per-order check)
  'double-charge': {
    payment: (state, input, ctx) => paymentReact(input.type === 'StockReserved' ? { ...state, payment: undefined } : state, input, ctx),
  },
};

const broken = new Map<string, RunResult>();
/** One spin run per broken rule set, shared by the tests that need its trail. */
function brokenRun(rules: BrokenRule[]): RunResult {
  const key = rules.join(',');
  let r = broken.get(key);
  if (!r) {
    const defines = Object.fromEntries(rules.map((b) => [BROKEN[b].define, true as const]));
    const config = CONFIGS[rules.includes('kept-cross') ? 'two-customers' : BROKEN[rules[0]!].config]!;
    r = runOne({ config, mode: 'safety', extra: { MAXCRASH: 1, MAXDUP: 1, ...defines }, shortest: true, quick: true });
    broken.set(key, r);
  }
  return r;
}

function counterexampleOf(rules: BrokenRule[]): Counterexample {
  const r = brokenRun(rules);
  assert.ok(r.counterexample, `spin found no counterexample with ${rules.join(', ')} broken:\n${formatResult(r)}`);
  return r.counterexample;
}

/** Replays a counterexample's steps through the in-memory services that run the routers. */
function replayed(ce: Counterexample, rules: Partial<Routers>, strict = true) {
  const world = createWorld(ce, rules);
  const perStep: string[][] = [];
  const result = replay(ce.steps, world.handlers, {
    strict,
    command: (step) => {
      const o = ce.orders.find((x) => x.orderId === step.orderId)!;
      return { orderId: o.orderId, customerId: o.customerId, items: [{ sku: ce.sku, quantity: o.quantity, unitPrice: o.unitPrice }] };
    },
    afterStep: () => perStep.push(world.violations()),
  });
  return { world, result, perStep };
}

describe('protocol model (spin)', () => {
  it('the bounded configurations check clean: safety exhaustively, liveness with weak fairness', () => {
    const lines: string[] = [];
    const results = runModel({ saga: 'order', bounded: true, log: (l) => lines.push(l) });
    assert.ok(results.length >= 6);
    assert.ok(results.some((r) => r.mode === 'liveness') && results.some((r) => r.mode === 'safety'));
    for (const r of results) {
      assert.ok(r.ok, `${r.mode} ${r.config}:\n${lines.join('\n')}`);
      assert.ok(r.statesStored > 0 && r.complete, `${r.mode} ${r.config} explored nothing or stopped early`);
    }
  });

  it('a broken tombstone (inventory holds after a cancel) makes spin report a hold left behind', () => {
    const ce = counterexampleOf(['tombstone']);
    assert.equal(ce.violation, 'no_hold_left_behind');
    assert.ok(ce.steps.length > 0);
  });

  it('a payment without its one-payment-per-order check makes spin report a counterexample', () => {
    // the inbox alone still drops the redelivered StockReserved: what breaks is the VOIDED tombstone
    assert.equal(counterexampleOf(['double-charge']).violation, 'no_charge_left_behind');
    // with the inbox gone as well, a redelivery charges the order twice
    assert.equal(counterexampleOf(['double-charge', 'no-inbox']).violation, 'charged_at_most_once');
  });

  it('the assertion that kept holds stay with their customer can fail (inventory without the customer filter)', () => {
    assert.equal(counterexampleOf(['kept-cross']).violation, 'kept_holds_stay_with_their_customer');
  });

  it("the broken-tombstone trail, replayed through inventory's router with the same rule broken, leaves a hold behind in the code", () => {
    const ce = counterexampleOf(['tombstone']);
    const { world, result, perStep } = replayed(ce, brokenRules.tombstone!);
    assert.equal(result.skipped.length, 0, 'every step of the trail had its message in the code');
    assert.deepEqual(perStep.flat(), [], 'no invariant of every state broke on the way');
    assert.deepEqual(world.deadLetters, [], 'no router found a fact mismatch');
    assert.ok(world.violations({ quiescent: true }).includes(ce.violation), `${ce.violation} in ${world.violations({ quiescent: true }).join(', ')}`);
    const stuck = [...world.reservations.values()].filter((r) => r.status === 'HELD' && world.orders.get(r.orderId)?.status === 'CANCELLED');
    assert.equal(stuck.length, 1, 'a cancelled order still holds stock');
    assert.equal(world.stock.get(ce.sku)!.held, stuck[0]!.lines[0]!.quantity);
  });

  it('the same trail through the real routers breaks nothing: the late hold never happens', () => {
    const ce = counterexampleOf(['tombstone']);
    assert.throws(() => replayed(ce, {}), ReplayDivergence);
    const { world, result, perStep } = replayed(ce, {}, false);
    assert.ok(result.skipped.some((s) => s.messageType === 'StockReserved'), 'the broken hold was the only source of that StockReserved');
    assert.deepEqual(perStep.flat(), []);
    assert.deepEqual(world.deadLetters, []);
    // the trail was the broken world's, so the code does not end where it did (an order may still be PENDING), but no hold is left behind
    assert.ok(!world.violations({ quiescent: true }).includes(ce.violation), world.violations({ quiescent: true }).join(', '));
  });

  it('the double-charge trails break the same invariants in the code', () => {
    for (const rules of [['double-charge'], ['double-charge', 'no-inbox']] as BrokenRule[][]) {
      const ce = counterexampleOf(rules);
      const { world, result } = replayed(ce, brokenRules['double-charge']!);
      assert.equal(result.skipped.length, 0);
      assert.deepEqual(world.deadLetters, [], `${rules.join(',')}: no router found a fact mismatch`);
      assert.ok(world.violations({ quiescent: ce.violation.startsWith('no_') }).includes(ce.violation), `${rules.join(',')}: ${ce.violation}`);
      const real = replayed(ce, {}, false);
      assert.deepEqual(real.perStep.flat(), [], `${rules.join(',')} with the real rules`);
      assert.ok(!real.world.violations({ quiescent: true }).includes(ce.violation), `${rules.join(',')} with the real rules`);
    }
  });
});
