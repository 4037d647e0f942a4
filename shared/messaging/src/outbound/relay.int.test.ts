import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { orderService } from '@jetsaga/order';
import { NatsServer } from '@jetsaga/stack';
import { createLogger } from '../observe/logger.js';
import { openServiceDb, type ServiceDb } from '../sqlite/open-db.js';
import { enqueueOutbox, type PendingRow } from './outbox.js';
import { OutboxRelay } from './relay.js';

/**
 * The relay on a real SQLite file and a real nats-server: rows offered by the commit that wrote
 * them are published as they are; when the offered rows do not follow what was published
 * without a gap, the table is read instead, so no row is skipped and the order holds.
 */
describe('OutboxRelay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jetsaga-relay-'));
  let server: NatsServer;
  let nc: NatsConnection;
  let db: ServiceDb;
  let relay: OutboxRelay;

  before(async () => {
    server = await NatsServer.start({ storeDir: join(dir, 'nats') });
    nc = await connect({ servers: server.url });
    await (await nc.jetstreamManager()).streams.add({ name: 'RELAYTEST', subjects: ['relay.>'] });
    db = openServiceDb({ path: join(dir, 'order.db'), schema: orderService.schema, migrationsFolder: orderService.migrationsFolder });
    relay = new OutboxRelay(db, nc, createLogger('test', 'silent'), { pollMs: 60_000, markDelayMs: 1, retryMs: 50 });
    relay.start();
  });

  after(async () => {
    // A failed test can leave a round waiting for ever: do not let it keep the broker running.
    await Promise.race([relay.stop(), new Promise((r) => setTimeout(r, 2000).unref())]);
    await nc.close();
    await server.stop();
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (names: string[], prefix = 'relay'): PendingRow[] =>
    db.$client.transaction(() => names.map((n) => enqueueOutbox(db, { eventId: `id-${n}`, subject: `${prefix}.${n}`, payload: JSON.stringify({ n }), headers: {} }, Date.now())))();
  const stored = async (): Promise<string[]> => {
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info('RELAYTEST');
    const subjects: string[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) subjects.push((await jsm.streams.getMessage('RELAYTEST', { seq })).subject);
    return subjects;
  };
  const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const unsent = () => (db.$client.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }).n;

  it('publishes offered rows in order and marks them sent', async () => {
    // given three rows committed
    const rows = write(['a', 'b', 'c']);
    // when they are offered
    relay.offer(rows);
    // then they are on the stream in seq order, and marked sent
    await until('three messages', async () => (await stored()).length === 3);
    assert.deepEqual(await stored(), ['relay.a', 'relay.b', 'relay.c']);
    await until('rows marked sent', () => unsent() === 0);
  });

  it('reads the table when an offered row does not follow the last one published', async () => {
    // given two rows committed, of which only the second is offered (the first written by a path that does not offer)
    const [, second] = write(['d', 'e']);
    // when the second is offered
    relay.offer([second!]);
    // then both are published, in seq order
    await until('five messages', async () => (await stored()).length === 5);
    assert.deepEqual((await stored()).slice(3), ['relay.d', 'relay.e']);
    await until('rows marked sent', () => unsent() === 0);
  });

  it('goes on at once with offered rows left behind a gap', async () => {
    // given three rows committed, of which the first and the third are offered (the second not)
    const [g, , i] = write(['g', 'h', 'i']);
    // when they are offered
    relay.offer([g!, i!]);
    // then all three are published in seq order, long before the relay's next poll (60 s here)
    await until('eight messages', async () => (await stored()).length === 8, 5_000);
    assert.deepEqual((await stored()).slice(5), ['relay.g', 'relay.h', 'relay.i']);
    await until('rows marked sent', () => unsent() === 0);
  });

  it('publishes the rows of a commit without waiting for the PubAcks of the rounds before it', async () => {
    // given a round in flight whose PubAcks cannot have come back yet
    const before = (await stored()).length;
    relay.offer(write(['p1']));
    // when the next commit's rows are offered in the same turn
    relay.offer(write(['p2']));
    // then they were published at once, a second round in flight, and both are stored in order
    assert.equal(relay.roundsInFlight, 2);
    await until('both messages', async () => (await stored()).length === before + 2);
    assert.deepEqual((await stored()).slice(before), ['relay.p1', 'relay.p2']);
    await until('rows marked sent', () => unsent() === 0);
  });

  it('after the connection dropped, publishes nothing more until the rounds in flight settle, then goes on in order', async () => {
    // given a round in flight, and the connection said lost
    relay.offer(write(['t1']));
    relay.brokerLost();
    // when the next commit's rows are offered
    relay.offer(write(['t2']));
    // then they wait for the round in flight, and are then published after it, from the table
    assert.equal(relay.roundsInFlight, 1);
    await until('rows marked sent', () => unsent() === 0);
    const all = await stored();
    assert.deepEqual(all.slice(-2), ['relay.t1', 'relay.t2']);
  });

  it('after a refused row, publishes it and every row after it again, in order, once the broker takes them', async () => {
    // given rows for subjects no stream takes yet, in two rounds in flight
    relay.offer(write(['1'], 'later'));
    relay.offer(write(['2'], 'later'));
    assert.equal(relay.roundsInFlight, 2);
    // when they are refused (no stream: 503), and then a stream takes them
    await until('the refusal', () => unsent() === 2 && relay.roundsInFlight === 0);
    await (await nc.jetstreamManager()).streams.add({ name: 'LATERTEST', subjects: ['later.>'] });
    // then the relay's retry publishes both, in seq order, and marks them sent
    await until('rows marked sent', () => unsent() === 0);
    const jsm = await nc.jetstreamManager();
    const subjects = [1, 2].map(async (seq) => (await jsm.streams.getMessage('LATERTEST', { seq })).subject);
    assert.deepEqual(await Promise.all(subjects), ['later.1', 'later.2']);
  });

  it('publishes rows read from the table only once they are on disk (synchronous=FULL)', async () => {
    // given a second relay whose durability wait is held, after the first stopped
    await relay.stop();
    let onDisk: (() => void) | undefined;
    let waits = 0;
    relay = new OutboxRelay(db, nc, createLogger('test', 'silent'), { pollMs: 60_000, markDelayMs: 1, durable: () => (waits++, new Promise<void>((r) => (onDisk = r))) });
    // when it starts with a row in the table that no commit handed over
    const before = (await stored()).length;
    write(['f']);
    relay.start();
    await until('the durability wait', () => waits === 1);
    // then nothing is published until the wait ends, and the row is then
    assert.equal((await stored()).length, before);
    onDisk!();
    await until('one more message', async () => (await stored()).length === before + 1);
    assert.equal((await stored())[before], 'relay.f');
  });
});
