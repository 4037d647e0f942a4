import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPartitionMark, markPartition, otherLayout } from './partition-mark.js';

describe('the partition count a db remembers', () => {
  it('takes the count it is first started with, and refuses a process of another count, naming the repartition to run', () => {
    const db = new Database(':memory:');
    checkPartitionMark(db, 'order-p0.db', { index: 0, count: 2 });
    assert.equal(db.pragma('application_id', { simple: true }), 2);
    checkPartitionMark(db, 'order-p0.db', { index: 0, count: 2 });
    assert.throws(() => checkPartitionMark(db, 'order-p0.db', { index: 0, count: 3 }), /order-p0\.db is partition 0 of 2, not of 3: .*jetsaga repartition --from 2 --to 3/);
  });

  it('is what repartition writes: the new count, none for one process', () => {
    const db = new Database(':memory:');
    markPartition(db, 3);
    assert.doesNotThrow(() => checkPartitionMark(db, 'x', { index: 2, count: 3 }));
    markPartition(db, 1);
    assert.equal(db.pragma('application_id', { simple: true }), 0);
  });
});

describe('a data dir holding a service in the other layout', () => {
  it('is said when a partition would start beside <service>.db, or one process beside <service>-p<i>.db, and not otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jetsaga-layout-'));
    try {
      assert.equal(otherLayout(dir, 'order', true), undefined);
      writeFileSync(join(dir, 'order.db'), '');
      writeFileSync(join(dir, 'orderly-p0.db'), '');
      assert.match(otherLayout(dir, 'order', true)!, /order\.db holds order as one process: run `jetsaga repartition --from 1 --to N`/);
      assert.equal(otherLayout(dir, 'order', false), undefined);
      rmSync(join(dir, 'order.db'));
      writeFileSync(join(dir, 'order-p1.db'), '');
      writeFileSync(join(dir, 'order-p0.db'), '');
      assert.match(otherLayout(dir, 'order', false)!, /holds order as partitions \(order-p0\.db, order-p1\.db\)/);
      assert.equal(otherLayout(dir, 'order', true), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
