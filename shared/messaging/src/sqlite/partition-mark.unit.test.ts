import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { checkPartitionMark, markPartition } from './partition-mark.js';

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
