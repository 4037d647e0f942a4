import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiscardPolicy, nanos, RetentionPolicy, StorageType, type StreamConfig } from 'nats';
import { messages } from '@jetsaga/events';
import { commandSubjects, DEFAULT_STREAM_SETTINGS, describeChange, isLegacyFilter, missingSubjects, streamChanges, subjectCovers, wantedStreams } from './provision.js';
import { messagesPerPull } from '../consume/consumer-loop.js';
import { parseByteSize, parseDurationMs, serviceConfigFromEnv, streamSettingsFromEnv } from '../service/config.js';

const byName = (name: string) => wantedStreams(DEFAULT_STREAM_SETTINGS).find((s) => s.name === name)!;

/** A stream as release 0.1 made it: no limits, COMMANDS on `cmd.>`. */
function previousRelease(name: string): Partial<StreamConfig> {
  const subjects = { EVENTS: ['evt.>'], COMMANDS: ['cmd.>'], DLQ: ['dlq.>'] }[name]!;
  return {
    name,
    subjects,
    retention: name === 'COMMANDS' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: 1,
    duplicate_window: nanos(120_000),
    max_age: 0,
    max_bytes: -1,
  };
}

describe('wanted streams', () => {
  it('COMMANDS takes exactly cmd.<owner>.<Type>.> of every command in the contract, and cmd.<owner>-<id>.<Type>.> of each listed instance', () => {
    const commands = messages.filter((m) => m.kind === 'command');
    const subjects = byName('COMMANDS').subjects;
    assert.deepEqual(subjects, commandSubjects());
    const owners = (owner: string) => (owner === 'bank' ? ['bank-a', 'bank-b'] : [owner]);
    const expected = commands.flatMap((c) => owners(c.owner).map((o) => `cmd.${o}.${c.type}.>`));
    assert.deepEqual([...subjects].sort(), [...new Set(expected)].sort());
    assert.ok(subjects.includes('cmd.order.PlaceOrder.>'));
    assert.ok(subjects.includes('cmd.bank-a.Deposit.>') && !subjects.includes('cmd.bank.Deposit.>'));
    // any key and partition of a known command, nothing else
    assert.ok(subjects.every((s) => /^cmd\.[a-z0-9-]+\.[A-Za-z]+\.>$/.test(s)));
  });

  it('COMMANDS follows JETSAGA_BANKS: each bank listed, and no other', () => {
    const wanted = wantedStreams(streamSettingsFromEnv({ JETSAGA_BANKS: 'a,c,c' })).find((s) => s.name === 'COMMANDS')!;
    assert.deepEqual(wanted.subjects.filter((s) => s.includes('bank')), ['cmd.bank-a.Deposit.>', 'cmd.bank-c.Deposit.>']);
    assert.throws(() => streamSettingsFromEnv({ JETSAGA_BANKS: 'a,B' }), /JETSAGA_BANKS must be a list of bank ids/);
    assert.throws(() => streamSettingsFromEnv({ JETSAGA_BANKS: ' , ' }), /JETSAGA_BANKS/);
  });

  it('a bank instance refuses to run when JETSAGA_BANKS does not list it', () => {
    assert.equal(serviceConfigFromEnv('bank-a', {}).dbPath.endsWith('bank-a.db'), true);
    assert.equal(serviceConfigFromEnv('bank-a', { JETSAGA_BANK_A_DB: '/tmp/x.db' }).dbPath, '/tmp/x.db');
    assert.throws(() => serviceConfigFromEnv('bank-c', {}), /bank-c is not among JETSAGA_BANKS \(a,b\)/);
    assert.equal(serviceConfigFromEnv('bank-c', { JETSAGA_BANKS: 'c' }).streams.instances.bank.join(), 'c');
  });

  it('EVENTS and DLQ get max_age and max_bytes from the settings; 0 is no limit', () => {
    const settings = { events: { maxAgeMs: 3_600_000, maxBytes: 1024 }, dlq: { maxAgeMs: 0, maxBytes: 0 }, replicas: 3, instances: DEFAULT_STREAM_SETTINGS.instances };
    const [events, commands, dlq] = wantedStreams(settings);
    assert.equal(events!.max_age, nanos(3_600_000));
    assert.equal(events!.max_bytes, 1024);
    assert.equal(dlq!.max_age, 0);
    assert.equal(dlq!.max_bytes, -1);
    assert.equal(commands!.max_bytes, -1);
    for (const s of [events!, commands!, dlq!]) assert.equal(s.num_replicas, 3);
  });

  it('defaults: EVENTS 30 days or 4 GiB, DLQ 30 days or 1 GiB, longer than the inbox retention', () => {
    assert.equal(byName('EVENTS').max_age, nanos(30 * 24 * 3600_000));
    assert.equal(byName('EVENTS').max_bytes, 4 * 1024 ** 3);
    assert.equal(byName('DLQ').max_bytes, 1024 ** 3);
    assert.ok(DEFAULT_STREAM_SETTINGS.events.maxAgeMs > serviceConfigFromEnv('order', {}).retentionMs);
  });
});

describe('comparing a stream with the wanted one', () => {
  it('a stream of the previous release differs in its limits and (COMMANDS) its subjects', () => {
    const events = streamChanges(previousRelease('EVENTS'), byName('EVENTS'));
    assert.deepEqual(events.map(describeChange), ['max_age unlimited -> 30d', 'max_bytes unlimited -> 4 GiB']);
    const commands = streamChanges(previousRelease('COMMANDS'), byName('COMMANDS'));
    assert.deepEqual(commands.map((c) => c.field), ['subjects']);
    assert.deepEqual(commands[0]!.to, commandSubjects());
  });

  it('a stream as wanted has no change; subjects compare as a set', () => {
    const wanted = byName('COMMANDS');
    assert.deepEqual(streamChanges({ ...wanted, subjects: [...wanted.subjects].reverse() }, wanted), []);
  });

  it('replicas and the duplicate window are compared too', () => {
    const wanted = wantedStreams({ ...DEFAULT_STREAM_SETTINGS, replicas: 3 })[0]!;
    const changes = streamChanges({ ...wanted, num_replicas: 1, duplicate_window: nanos(1000) }, wanted);
    assert.deepEqual(changes.map(describeChange), ['num_replicas 1 -> 3', 'duplicate_window 1s -> 2m']);
  });

  it('missing subjects: what no subject of the stream covers', () => {
    assert.deepEqual(missingSubjects(['cmd.>'], commandSubjects()), []);
    assert.deepEqual(missingSubjects(['cmd.order.PlaceOrder'], ['cmd.order.PlaceOrder', 'cmd.inventory.SetStock']), ['cmd.inventory.SetStock']);
    assert.deepEqual(missingSubjects([], ['evt.>']), ['evt.>']);
  });

  it('subject coverage follows the NATS wildcards', () => {
    assert.ok(subjectCovers('cmd.>', 'cmd.order.PlaceOrder'));
    assert.ok(subjectCovers('evt.>', 'evt.>'));
    assert.ok(subjectCovers('cmd.*.*', 'cmd.order.PlaceOrder'));
    assert.ok(subjectCovers('a.*', 'a.*'));
    assert.ok(!subjectCovers('cmd.>', 'cmd'));
    assert.ok(!subjectCovers('cmd.*', 'cmd.order.PlaceOrder'));
    assert.ok(!subjectCovers('a.b', 'a.*'));
    assert.ok(!subjectCovers('a.*', 'a.>'));
    assert.ok(!subjectCovers('cmd.order.PlaceOrder', 'cmd.order.Foo'));
  });
});

describe('stream settings from the environment', () => {
  it('reads durations and sizes with units; 0 is no limit', () => {
    const s = streamSettingsFromEnv({ JETSAGA_EVENTS_MAX_AGE: '14d', JETSAGA_EVENTS_MAX_BYTES: '10GiB', JETSAGA_DLQ_MAX_AGE: '0', JETSAGA_DLQ_MAX_BYTES: '512M' });
    assert.deepEqual(s.events, { maxAgeMs: 14 * 24 * 3600_000, maxBytes: 10 * 1024 ** 3 });
    assert.deepEqual(s.dlq, { maxAgeMs: 0, maxBytes: 512 * 1024 ** 2 });
    assert.deepEqual(streamSettingsFromEnv({}), DEFAULT_STREAM_SETTINGS);
  });

  it('refuses a bad value with one line naming the variable', () => {
    assert.throws(() => streamSettingsFromEnv({ JETSAGA_EVENTS_MAX_AGE: '30' }), /JETSAGA_EVENTS_MAX_AGE must be a duration.*"30"/);
    assert.throws(() => streamSettingsFromEnv({ JETSAGA_DLQ_MAX_BYTES: 'lots' }), /JETSAGA_DLQ_MAX_BYTES must be a size/);
  });

  it('units', () => {
    assert.equal(parseDurationMs('500ms'), 500);
    assert.equal(parseDurationMs('90m'), 90 * 60_000);
    assert.equal(parseDurationMs('12h'), 12 * 3600_000);
    assert.equal(parseDurationMs('1.5h'), undefined);
    assert.equal(parseByteSize('1048576'), 1024 ** 2);
    assert.equal(parseByteSize('4kb'), 4096);
    assert.equal(parseByteSize('1T'), 1024 ** 4);
    assert.equal(parseByteSize('-1'), undefined);
  });
});

describe('what a pull may hold', () => {
  it('as many messages of the server max_payload as JETSAGA_CONSUMER_MAX_BYTES holds, at most JETSAGA_CONSUMER_MAX_MESSAGES', () => {
    assert.equal(messagesPerPull(256, 64 * 1024 ** 2, 1024 ** 2), 64);
    assert.equal(messagesPerPull(256, 64 * 1024 ** 2, 256 * 1024), 256);
    assert.equal(messagesPerPull(256, 0, 1024 ** 2), 256);
    assert.equal(messagesPerPull(256, 1024 ** 2, 1024 ** 2), 1);
  });

  it('JETSAGA_CONSUMER_MAX_BYTES defaults to 64 MiB', () => {
    assert.equal(serviceConfigFromEnv('order', {}).consumerMaxBytes, 64 * 1024 ** 2);
    assert.equal(serviceConfigFromEnv('order', { JETSAGA_CONSUMER_MAX_BYTES: '8MiB' }).consumerMaxBytes, 8 * 1024 ** 2);
  });
});

describe('filters of the release before keys in subjects', () => {
  it('knows the old shape of a filter, and nothing else, as legacy', () => {
    assert.ok(isLegacyFilter('evt.order.OrderCreated.*', 'evt.order.OrderCreated.>'));
    assert.ok(isLegacyFilter('evt.*.FundsFrozen.*', 'evt.*.FundsFrozen.>'));
    assert.ok(isLegacyFilter('cmd.order.PlaceOrder', 'cmd.order.PlaceOrder.>'));
    for (const [filter, wanted] of [
      ['evt.order.OrderCreated.>', 'evt.order.OrderCreated.>'],
      ['cmd.inventory.SetStock.>', 'cmd.inventory.SetStock.>.>'],
      ['evt.payment.PaymentSucceeded.*.*.1.*', 'evt.payment.PaymentSucceeded.*.*.1.>'],
      ['cmd.order.PlaceOrder.*.1', 'cmd.order.PlaceOrder.*.1.>'],
      ['evt.order.OrderCreated.*', 'evt.order.OrderConfirmed.>'],
    ]) {
      assert.ok(!isLegacyFilter(filter!, wanted!), filter);
    }
  });
});
