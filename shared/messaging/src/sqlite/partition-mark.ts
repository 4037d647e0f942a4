import type Database from 'better-sqlite3';
import type { Partition } from '@jetsaga/events';
import { KitError } from '../errors.js';

/**
 * A partition's db remembers how many partitions it is one of (SQLite's `application_id`,
 * which nothing else here uses): a process started as a partition of another count refuses it,
 * since the broker would then map to it keys whose state is in another file. A new db takes
 * the count it is started with; `jetsaga repartition` marks the files it writes.
 */
export function checkPartitionMark(sqlite: Database.Database, path: string, partition: Partition): void {
  const mark = sqlite.pragma('application_id', { simple: true }) as number;
  if (mark === 0) {
    sqlite.pragma(`application_id = ${partition.count}`);
    return;
  }
  if (mark !== partition.count) {
    throw new KitError(
      'config',
      `${path} is partition ${partition.index} of ${mark}, not of ${partition.count}: its keys were placed among ${mark}. Run \`jetsaga repartition --from ${mark} --to ${partition.count}\` with the services stopped (docs/partitions.md) before starting ${partition.count} partitions`,
    );
  }
}

/** Marks a db written as one of `count` partitions (see checkPartitionMark). */
export function markPartition(sqlite: Database.Database, count: number): void {
  sqlite.pragma(`application_id = ${count > 1 ? count : 0}`);
}
