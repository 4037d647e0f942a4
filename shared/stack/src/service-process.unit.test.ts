import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { serviceNodeArgs } from './service-process.js';

describe('serviceNodeArgs', () => {
  it('gives the memory defaults when JETSAGA_NODE_ARGS is unset', () => {
    assert.deepEqual(serviceNodeArgs({}), ['--max-semi-space-size=8', '--heap-growing-percent=30']);
  });

  it('puts JETSAGA_NODE_ARGS after the defaults, so a flag given there wins', () => {
    assert.deepEqual(serviceNodeArgs({ JETSAGA_NODE_ARGS: ' --heap-growing-percent=50  --cpu-prof ' }), [
      '--max-semi-space-size=8',
      '--heap-growing-percent=30',
      '--heap-growing-percent=50',
      '--cpu-prof',
    ]);
  });

  it("reads only JETSAGA_NODE_ARGS: a bad setting of the stack's does not stop `jetsaga run`", () => {
    assert.deepEqual(serviceNodeArgs({ JETSAGA_METRICS_BASE_PORT: 'not a port', JETSAGA_RUN_TS: 'maybe' }), ['--max-semi-space-size=8', '--heap-growing-percent=30']);
  });
});
