import type Database from 'better-sqlite3';
import { type Partition, parsePartitionName } from '@jetsaga/events';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * Whether the data dir holds `service` in the other layout: `<service>.db` when it starts as a
 * partition, `<service>-p<i>.db` when it starts as one process. Starting anyway would begin on an
 * empty db beside the real state; the answer is `jetsaga repartition`. Undefined when not.
 */
export function otherLayout(dataDir: string, service: string, partitioned: boolean): string | undefined {
  if (!existsSync(dataDir)) return undefined;
  const files = readdirSync(dataDir);
  const other = partitioned ? files.filter((f) => f === `${service}.db`) : files.filter((f) => f.endsWith('.db') && parsePartitionName(f.slice(0, -'.db'.length))?.service === service);
  if (other.length === 0) return undefined;
  return partitioned
    ? `${join(dataDir, other[0]!)} holds ${service} as one process: run \`jetsaga repartition --from 1 --to N\` with it stopped before starting partitions (docs/partitions.md)`
    : `${dataDir} holds ${service} as partitions (${other.sort().join(', ')}): start it as those partitions, or run \`jetsaga repartition --from N --to 1\` (docs/partitions.md)`;
}
