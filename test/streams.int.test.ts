import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AckPolicy, connect, DiscardPolicy, nanos, type NatsConnection, RetentionPolicy, StorageType, type StreamConfig } from 'nats';
import { createEnvelope } from '@jetsaga/events';
import { commandSubjects, createLogger, ensureStreams, migrateLegacyConsumers, streamSettingsFromEnv, wantedStreams } from '@jetsaga/messaging/ops';
import { freePort, NatsServer, provisionStreams, Stack, waitFor } from '@jetsaga/stack';
import { sample } from './support/assertions.js';

/** The streams exactly as the previous release (0.1) created them: no limits, COMMANDS on `cmd.>`. */
async function createPreviousReleaseStreams(nc: NatsConnection, names = ['EVENTS', 'COMMANDS', 'DLQ']): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const common = { storage: StorageType.File, discard: DiscardPolicy.Old, num_replicas: 1, duplicate_window: nanos(120_000) };
  const old: Record<string, Partial<StreamConfig>> = {
    EVENTS: { ...common, name: 'EVENTS', subjects: ['evt.>'], retention: RetentionPolicy.Limits },
    COMMANDS: { ...common, name: 'COMMANDS', subjects: ['cmd.>'], retention: RetentionPolicy.Workqueue },
    DLQ: { ...common, name: 'DLQ', subjects: ['dlq.>'], retention: RetentionPolicy.Limits },
  };
  for (const name of names) await jsm.streams.add(old[name]!);
}


type Line = { level: number; msg: string; service: string } & Record<string, unknown>;
const parseLine = (service: string, line: string): Line | undefined => {
  try {
    return { ...(JSON.parse(line) as Line), service };
  } catch {
    return undefined;
  }
};

const streamEnv = { JETSAGA_EVENTS_MAX_AGE: '10d', JETSAGA_EVENTS_MAX_BYTES: '256MiB', JETSAGA_DLQ_MAX_AGE: '5d', JETSAGA_DLQ_MAX_BYTES: '64MiB' };
const DAY_NS = nanos(24 * 3600_000);

describe('bounded streams: limits, known command subjects, applied to the streams of the previous release', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-streams-'));
  let server: NatsServer;
  let nc: NatsConnection;
  let stack: Stack | undefined;
  const lines: Line[] = [];
  let metricsPort: number;

  before(async () => {
    server = await NatsServer.start({ storeDir: join(dir, 'nats') });
    nc = await connect({ servers: server.url });
    // given: the streams of the previous release, holding messages
    await createPreviousReleaseStreams(nc);
    const js = nc.jetstream();
    await js.publish('evt.order.OrderCreated.old-1', JSON.stringify({ old: true }));
    await js.publish('cmd.order.Foo', 'stored forever by the previous release');
    // when: a service of this release starts
    metricsPort = await freePort();
    stack = await Stack.start({
      dataDir: join(dir, 'data'),
      natsUrl: server.url,
      services: ['inventory'],
      env: { LOG_LEVEL: 'info', ...streamEnv },
      serviceEnv: { inventory: { JETSAGA_METRICS_PORT: String(metricsPort) } },
      onLine: (service, line) => {
        const parsed = parseLine(service, line);
        if (parsed) lines.push(parsed);
      },
    });
  });

  after(async () => {
    await stack?.stop();
    await nc?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('EVENTS and DLQ get the limits of the settings, keeping what they hold', async () => {
    const jsm = await nc.jetstreamManager();
    const events = await jsm.streams.info('EVENTS');
    assert.equal(events.config.max_age, 10 * DAY_NS);
    assert.equal(events.config.max_bytes, 256 * 1024 ** 2);
    assert.equal(events.config.retention, RetentionPolicy.Limits);
    assert.equal(events.state.messages, 1, 'the old event is still there');
    const dlq = await jsm.streams.info('DLQ');
    assert.equal(dlq.config.max_age, 5 * DAY_NS);
    assert.equal(dlq.config.max_bytes, 64 * 1024 ** 2);
  });

  it('COMMANDS takes only the known command subjects', async () => {
    const commands = await (await nc.jetstreamManager()).streams.info('COMMANDS');
    assert.deepEqual([...commands.config.subjects].sort(), commandSubjects());
    assert.ok(commands.config.subjects.includes('cmd.inventory.SetStock.>'));
  });

  it('each change is logged by the process that made it', () => {
    const changes = lines.filter((l) => typeof l.stream === 'string' && typeof l.setting === 'string').map((l) => l.msg);
    assert.ok(changes.includes('stream EVENTS: max_age unlimited -> 10d'), changes.join('\n'));
    assert.ok(changes.includes('stream EVENTS: max_bytes unlimited -> 256 MiB'), changes.join('\n'));
    assert.ok(changes.includes('stream DLQ: max_age unlimited -> 5d'), changes.join('\n'));
    assert.ok(changes.some((m) => m.startsWith('stream COMMANDS: subjects [cmd.>] -> [')), changes.join('\n'));
  });

  it('a publish to an unknown command subject is refused (no stream: 503), a known one is stored', async () => {
    const js = nc.jetstream();
    for (const subject of ['cmd.order.Foo.x', 'cmd.inventory.SetStock']) {
      // an unknown command, and a known one without its key token
      await assert.rejects(js.publish(subject, 'nobody handles this'), (err: Error & { code?: string }) => {
        assert.equal(err.code, '503', subject);
        return true;
      });
    }
    const envelope = createEnvelope('SetStock', { sku: 'bounded-sku', quantity: 1 }, { producer: 'test', sagaId: null });
    const ack = await js.publish('cmd.inventory.SetStock.bounded-sku', JSON.stringify(envelope), { msgID: envelope.id });
    assert.equal(ack.stream, 'COMMANDS');
  });

  it("provisioning moves a durable of the release before keys in subjects to its new filter, where it was", async () => {
    // given a durable filtering the old shape, which has handled (acked) the first of two old events
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    await jsm.consumers.add('EVENTS', { durable_name: 'legacy-Migrated', ack_policy: AckPolicy.Explicit, filter_subject: 'evt.test.Migrated.*', ack_wait: nanos(30_000) });
    await js.publish('evt.test.Migrated.m-1', 'first');
    await js.publish('evt.test.Migrated.m-2', 'second');
    const consumer = await js.consumers.get('EVENTS', 'legacy-Migrated');
    const first = await consumer.next({ expires: 2000 });
    assert.equal(first?.subject, 'evt.test.Migrated.m-1');
    await first!.ackAck();
    // when the admin provisions
    await provisionStreams({ servers: [server.url] }, streamSettingsFromEnv(streamEnv), createLogger('provision', 'warn'));
    // then it filters the new shape, and goes on with the event it had not handled, then new ones
    const info = await jsm.consumers.info('EVENTS', 'legacy-Migrated');
    assert.equal(info.config.filter_subject, 'evt.test.Migrated.>');
    assert.equal(info.config.ack_wait, nanos(30_000), 'its settings kept');
    await js.publish('evt.test.Migrated.m-3.k', 'new shape');
    const moved = await js.consumers.get('EVENTS', 'legacy-Migrated');
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const m = await moved.next({ expires: 2000 });
      seen.push(m!.subject);
      await m!.ackAck();
    }
    assert.deepEqual(seen, ['evt.test.Migrated.m-2', 'evt.test.Migrated.m-3.k']);
    assert.deepEqual(await migrateLegacyConsumers(jsm, createLogger('provision', 'warn')), [], 'a second run finds nothing to move');
  });

  it('a second start finds nothing to change', async () => {
    const log = createLogger('test', 'silent');
    const outcome = await ensureStreams(await nc.jetstreamManager(), wantedStreams(streamSettingsFromEnv(streamEnv)), log);
    assert.deepEqual(outcome, { created: [], updated: [], stale: [] });
  });

  it('/metrics exports the streams usage and limits, and the service consumers lag', async () => {
    const body = await waitFor(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return sample(text, 'jetsaga_stream_messages', { stream: 'EVENTS' }) !== undefined ? text : undefined;
      },
      { timeoutMs: 10_000, what: 'stream metrics' },
    );
    assert.equal(sample(body, 'jetsaga_stream_max_bytes', { stream: 'EVENTS', service: 'inventory' }), 256 * 1024 ** 2);
    assert.equal(sample(body, 'jetsaga_stream_max_age_seconds', { stream: 'DLQ' }), 5 * 24 * 3600);
    assert.equal(sample(body, 'jetsaga_stream_max_bytes', { stream: 'COMMANDS' }), -1);
    assert.ok(sample(body, 'jetsaga_stream_bytes', { stream: 'EVENTS' })! > 0);
    // the old event is not a valid OrderCreated: inventory dead-lettered it
    assert.equal(sample(body, 'jetsaga_stream_messages', { stream: 'DLQ' }), (await (await nc.jetstreamManager()).streams.info('DLQ')).state.messages);
    assert.equal(typeof sample(body, 'jetsaga_consumer_pending_messages', { consumer: 'inventory-OrderCreated' }), 'number');
    assert.equal(typeof sample(body, 'jetsaga_consumer_ack_pending_messages', { consumer: 'inventory-SetStock' }), 'number');
  });
});

describe('provisioning by an identity that may not create or update streams', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-streams-perm-'));
  let server: NatsServer;
  let admin: NatsConnection;
  const serviceAccess = { user: 'svc', pass: 'svc-secret' };
  const settings = streamSettingsFromEnv(streamEnv);

  before(async () => {
    // A broker where `svc` may do everything but create, update, delete or purge a stream.
    const config = (port: number) => `
listen: "127.0.0.1:${port}"
jetstream { store_dir: ${JSON.stringify(join(dir, 'nats'))} }
authorization {
  users: [
    { user: admin, password: admin-secret }
    { user: svc, password: svc-secret, permissions: {
        publish: { allow: [">"], deny: ["$JS.API.STREAM.CREATE.>", "$JS.API.STREAM.UPDATE.>", "$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>"] }
        subscribe: { allow: [">"] } } }
  ]
}
`;
    server = await NatsServer.start({ storeDir: join(dir, 'nats'), secured: { config, probe: { user: 'admin', pass: 'admin-secret' } } });
    admin = await connect({ servers: server.url, user: 'admin', pass: 'admin-secret' });
  });

  after(async () => {
    await admin?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says what differs and what is missing, changes nothing, and a service waits until the admin provisions', async () => {
    // given: EVENTS and DLQ of the previous release; no COMMANDS
    await createPreviousReleaseStreams(admin, ['EVENTS', 'DLQ']);
    const svc = await connect({ servers: server.url, ...serviceAccess });
    const logged: { level: string; msg: string }[] = [];
    const log = createLogger('svc', 'info');
    for (const level of ['info', 'warn'] as const) log[level] = ((obj: unknown, msg?: string) => void logged.push({ level, msg: msg ?? String(obj) })) as typeof log.info;
    try {
      // when
      await assert.rejects(ensureStreams(await svc.jetstreamManager(), wantedStreams(settings), log), (err: Error & { code?: string }) => {
        // then: what is missing, and who must act
        assert.equal(err.code, 'provision_pending');
        assert.match(err.message, /stream COMMANDS is missing/);
        assert.match(err.message, /jetsaga provision/);
        return true;
      });
    } finally {
      await svc.close();
    }
    const stale = logged.filter((l) => l.level === 'warn').map((l) => l.msg);
    assert.ok(stale.some((m) => m.startsWith('stream EVENTS differs from the wanted config (max_age unlimited -> 10d; max_bytes unlimited -> 256 MiB)')), stale.join('\n'));
    const jsm = await admin.jetstreamManager();
    assert.equal((await jsm.streams.info('EVENTS')).config.max_age, 0, 'nothing changed');

    // when: a service with that identity starts, it waits
    const lines: Line[] = [];
    const starting = Stack.start({
      dataDir: join(dir, 'data'),
      natsUrl: server.url,
      services: ['inventory'],
      env: { LOG_LEVEL: 'info', NATS_USER: serviceAccess.user, NATS_PASSWORD: serviceAccess.pass, ...streamEnv },
      onLine: (service, line) => {
        const parsed = parseLine(service, line);
        if (parsed) lines.push(parsed);
      },
    });
    let stack: Stack | undefined;
    try {
      await waitFor(() => lines.some((l) => l.msg.startsWith('stream provisioning: waiting') && l.msg.includes('stream COMMANDS is missing')), {
        timeoutMs: 30_000,
        what: 'the service to wait for provisioning',
      });
      assert.ok(!lines.some((l) => l.msg === 'service ready'));
      // when: the admin provisions (what `jetsaga provision` runs)
      const outcome = await ensureStreams(jsm, wantedStreams(settings), createLogger('admin', 'silent'));
      assert.deepEqual(outcome, { created: ['COMMANDS'], updated: ['EVENTS', 'DLQ'], stale: [] });
      // then: the service starts
      stack = await starting;
      await waitFor(() => lines.some((l) => l.msg === 'service ready'), { timeoutMs: 5000, what: 'the ready line' });
      assert.equal((await jsm.streams.info('EVENTS')).config.max_age, 10 * DAY_NS);
      assert.deepEqual([...(await jsm.streams.info('COMMANDS')).config.subjects].sort(), commandSubjects());
    } finally {
      await (stack ?? (await starting.catch(() => undefined)))?.stop();
    }
  });
});
