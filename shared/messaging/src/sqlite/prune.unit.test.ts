import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orderService } from '@jetsaga/order';
import { enqueueOutbox, markOutboxSent } from '../outbound/outbox.js';
import { logStep } from '../step/step-log.js';
import { openServiceDb, type ServiceDb } from './open-db.js';
import { pruneHousekeeping } from './prune.js';

/** Housekeeping on a real SQLite file: the step log, with no index on its time, is pruned in id order. */
describe('pruneHousekeeping', () => {
  let dir = '';
  let db: ServiceDb;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'jetsaga-prune-'));
    db = openServiceDb({ path: join(dir, 'order.db'), schema: orderService.schema, migrationsFolder: orderService.migrationsFolder });
  });

  after(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const step = (sagaId: string, at: number) => logStep(db, { sagaId, step: 'order-PlaceOrder', operation: 'PlaceOrder', status: 'done', eventIn: `in-${sagaId}`, eventsOut: [] }, at);
  const sagas = () => (db.$client.prepare('SELECT saga_id FROM step_log ORDER BY id').all() as { saga_id: string }[]).map((r) => r.saga_id);

  it('deletes the steps older than the cutoff and keeps the rest', () => {
    // given steps written at 100, 200, 300 and 400
    for (const at of [100, 200, 300, 400]) step(`s-${at}`, at);
    // when pruning with cutoff 250
    const pruned = pruneHousekeeping(db, 250);
    // then the two older steps are gone
    assert.equal(pruned.steps, 2);
    assert.deepEqual(sagas(), ['s-300', 's-400']);
  });

  it('keeps the newest step when all are older than the cutoff, so a new step never takes a deleted id', () => {
    // given the steps at 300 and 400 left by the test before
    const newest = (db.$client.prepare('SELECT max(id) AS id FROM step_log').get() as { id: number }).id;
    // when pruning with a cutoff after both
    const pruned = pruneHousekeeping(db, 1000);
    // then only the newest is left, and a step written afterwards takes the next id
    assert.equal(pruned.steps, 1);
    assert.deepEqual(sagas(), ['s-400']);
    step('s-2000', 2000);
    assert.equal((db.$client.prepare("SELECT id FROM step_log WHERE saga_id = 's-2000'").get() as { id: number }).id, newest + 1);
    // and the next prune with the same cutoff deletes the old one, now that it is not the newest
    assert.equal(pruneHousekeeping(db, 1000).steps, 1);
    assert.deepEqual(sagas(), ['s-2000']);
  });

  it('keeps the newest outbox row, however old and sent, so a new row never takes a deleted seq', () => {
    // given three sent rows, all older than the cutoff
    const seqs = ['a', 'b', 'c'].map((n) => enqueueOutbox(db, { eventId: `ev-${n}`, subject: `evt.test.${n}`, payload: '{}', headers: {} }, 100).seq);
    markOutboxSent(db, seqs, 100);
    // when pruning
    const pruned = pruneHousekeeping(db, 1000);
    // then the two older rows go and the newest stays
    assert.equal(pruned.outbox, 2);
    const left = () => (db.$client.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[]).map((r) => r.seq);
    assert.deepEqual(left(), [seqs[2]]);
    // and a row written afterwards takes the seq after it
    const next = enqueueOutbox(db, { eventId: 'ev-d', subject: 'evt.test.d', payload: '{}', headers: {} }, 2000).seq;
    assert.equal(next, seqs[2]! + 1);
  });

  it('uses no index on the step time', () => {
    const indexes = (db.$client.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'step_log'").all() as { name: string }[]).map((r) => r.name);
    assert.ok(!indexes.includes('step_log_created'), `indexes: ${indexes.join(', ')}`);
  });
});
