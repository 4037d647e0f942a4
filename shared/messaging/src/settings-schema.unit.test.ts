import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineSettings, SettingsError, setting } from './settings-schema.js';
import { deprecationMessage, loadServiceSettings, serviceConfigFromEnv } from './service/config.js';
import { KitError } from './errors.js';

const schema = defineSettings({
  deadlineMs: setting.integer('JETSAGA_X_DEADLINE_MS', { default: 30_000, min: 1, unit: 'ms', deprecated: ['X_DEADLINE_MS'], description: 'x' }),
  age: setting.duration('JETSAGA_X_AGE', { default: 60_000, zero: 'forever', description: 'x' }),
  size: setting.size('JETSAGA_X_SIZE', { default: 1024, description: 'x' }),
  mode: setting.choice('JETSAGA_X_MODE', ['NORMAL', 'FULL'], { default: 'NORMAL', description: 'x' }),
  hook: setting.url('JETSAGA_X_URL', { description: 'x' }),
});

const problemOf = (env: NodeJS.ProcessEnv): string => {
  try {
    schema.parse(env);
  } catch (err) {
    assert.ok(err instanceof SettingsError && err instanceof KitError && err.code === 'config' && err.permanent);
    return err.message;
  }
  assert.fail('no error');
};

describe('settings from a schema', () => {
  it('defaults when unset or empty, values parsed by type', () => {
    assert.deepEqual(schema.parse({ JETSAGA_X_AGE: '' }), { deadlineMs: 30_000, age: 60_000, size: 1024, mode: 'NORMAL', hook: undefined });
    assert.deepEqual(schema.parse({ JETSAGA_X_DEADLINE_MS: '5', JETSAGA_X_AGE: '2h', JETSAGA_X_SIZE: '4MiB', JETSAGA_X_MODE: 'full', JETSAGA_X_URL: 'http://h:1/x' }), {
      deadlineMs: 5,
      age: 2 * 3600_000,
      size: 4 * 1024 ** 2,
      mode: 'FULL',
      hook: 'http://h:1/x',
    });
  });

  it('a bad value is one line naming the variable and what it wants', () => {
    assert.equal(problemOf({ JETSAGA_X_DEADLINE_MS: 'abc' }), 'JETSAGA_X_DEADLINE_MS must be an integer >= 1 (ms), not "abc"');
    assert.equal(problemOf({ JETSAGA_X_DEADLINE_MS: '0' }), 'JETSAGA_X_DEADLINE_MS must be an integer >= 1 (ms), not "0"');
    assert.equal(problemOf({ JETSAGA_X_DEADLINE_MS: '1.5' }), 'JETSAGA_X_DEADLINE_MS must be an integer >= 1 (ms), not "1.5"');
    assert.match(problemOf({ JETSAGA_X_AGE: '30' }), /^JETSAGA_X_AGE must be a duration like 30d.* or 0 \(forever\), not "30"$/);
    assert.match(problemOf({ JETSAGA_X_SIZE: 'lots' }), /^JETSAGA_X_SIZE must be a size like 4GiB/);
    assert.equal(problemOf({ JETSAGA_X_MODE: 'fast' }), 'JETSAGA_X_MODE must be one of NORMAL, FULL, not "fast"');
    assert.match(problemOf({ JETSAGA_X_URL: 'ftp://h' }), /^JETSAGA_X_URL must be an http\(s\) URL/);
  });

  it('every bad value in the one line', () => {
    const message = problemOf({ JETSAGA_X_DEADLINE_MS: 'abc', JETSAGA_X_MODE: 'fast' });
    assert.equal(message.split('\n').length, 1);
    assert.match(message, /JETSAGA_X_DEADLINE_MS .*; JETSAGA_X_MODE /);
  });

  it('a former name is read, noted as deprecated, and loses to the new one', () => {
    const old = schema.read({ X_DEADLINE_MS: '7' });
    assert.equal(old.value.deadlineMs, 7);
    assert.deepEqual(old.deprecated, [{ old: 'X_DEADLINE_MS', name: 'JETSAGA_X_DEADLINE_MS', ignored: false }]);
    assert.match(deprecationMessage(old.deprecated[0]!), /^X_DEADLINE_MS is deprecated: set JETSAGA_X_DEADLINE_MS instead/);
    const both = schema.read({ X_DEADLINE_MS: '7', JETSAGA_X_DEADLINE_MS: '9' });
    assert.equal(both.value.deadlineMs, 9);
    assert.equal(both.deprecated[0]!.ignored, true);
    assert.equal(problemOf({ X_DEADLINE_MS: 'abc' }), 'X_DEADLINE_MS (now JETSAGA_X_DEADLINE_MS) must be an integer >= 1 (ms), not "abc"');
  });
});

describe('the kit settings of a service', () => {
  const order = { name: 'order', settings: defineSettings({}) };
  const payment = { ...order, name: 'payment', settingDefaults: { JETSAGA_SQLITE_SYNCHRONOUS: 'FULL' } };

  it('every JETSAGA_* name, with the old names as aliases', () => {
    const c = serviceConfigFromEnv('order', { JETSAGA_MAX_DELIVER: '3', ACK_WAIT_MS: '2000', JETSAGA_ORDER_DB: '/tmp/o.db', JETSAGA_METRICS_PORT: '9100' });
    assert.equal(c.retry.maxDeliver, 3);
    assert.equal(c.ackWaitMs, 2000);
    assert.equal(c.dbPath, '/tmp/o.db');
    assert.equal(c.metricsPort, 9100);
    assert.equal(serviceConfigFromEnv('order', { ORDER_DB: '/tmp/p.db' }).dbPath, '/tmp/p.db');
    assert.equal(serviceConfigFromEnv('order', {}).metricsPort, undefined);
  });

  it('payment defaults to synchronous=FULL, the others to NORMAL; the setting still overrides', () => {
    assert.equal(loadServiceSettings(order, {}).config.synchronous, 'NORMAL');
    assert.equal(loadServiceSettings(payment, {}).config.synchronous, 'FULL');
    assert.equal(loadServiceSettings(payment, { JETSAGA_SQLITE_SYNCHRONOUS: 'NORMAL' }).config.synchronous, 'NORMAL');
    assert.equal(loadServiceSettings(payment, { SQLITE_SYNCHRONOUS: 'off' }).config.synchronous, 'OFF');
  });

  it("the kit's and the service's own settings fail together, in one line", () => {
    const own = { name: 'order', settings: defineSettings({ d: setting.integer('JETSAGA_ORDER_DEADLINE_MS', { default: 1, min: 1, description: 'x' }) }) };
    assert.throws(
      () => loadServiceSettings(own, { JETSAGA_ORDER_DEADLINE_MS: 'abc', JETSAGA_MAX_DELIVER: '0' }),
      (err: unknown) => err instanceof SettingsError && err.problems.map((p) => p.setting).join() === 'JETSAGA_MAX_DELIVER,JETSAGA_ORDER_DEADLINE_MS',
    );
  });
});
