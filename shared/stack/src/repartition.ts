import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { partitionName, partitionOf } from '@jetsaga/events';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { AckPolicy, DeliverPolicy, type JetStreamManager, nanos } from 'nats';
import { durablesOf } from './auth/permissions.js';
import { acquireWriterLock, markPartition, openServiceDb, STREAMS, type WriterLock } from '@jetsaga/messaging/ops';

/** The kit's tables: the inbox goes to every partition, the step log with its saga; the rest is drained history. */
const KIT_TABLES = ['outbox', 'inbox', 'timers', 'consumer_stats', 'step_log'] as const;

/** The db files of a service run as `count` partitions (one: `<service>.db`). */
export function partitionDbs(dataDir: string, service: string, count: number): string[] {
  return count === 1 ? [join(dataDir, `${service}.db`)] : Array.from({ length: count }, (_, i) => join(dataDir, `${partitionName(service, i)}.db`));
}

export interface RepartitionReport {
  service: string;
  from: string[];
  to: string[];
  /** Rows written to the new files, by table (a row copied to several partitions counts in each). */
  rows: Record<string, number>;
  /** Where the old files went. */
  backup: string;
}

/**
 * Re-partitions one service's SQLite files offline, from `from` partitions to `to`: every row
 * of its own tables goes to the partition its key maps to among `to` (`partitionKeys` of its
 * definition, FNV-1a like the broker), the inbox to every new partition (a handled message stays
 * handled wherever it lands), the step log with its saga. The service must be stopped and drained:
 * its files unlocked, no outbox row unsent and no timer armed (a saga in flight has one: its
 * deadline, or a kept hold's release); otherwise nothing is touched and the error says why. The
 * new files are built aside, then the old ones move to `<data dir>/before-repartition-<time>/`.
 */
export function repartitionService(def: AnyServiceDefinition, dataDir: string, from: number, to: number, options: { check?: boolean; stamp?: string } = {}): RepartitionReport | null {
  const stamp = options.stamp ?? new Date().toISOString().replace(/[:.]/g, '-');
  const sources = partitionDbs(dataDir, def.name, from);
  const present = sources.filter((p) => existsSync(p));
  if (present.length === 0) return null;
  if (present.length < sources.length) throw new Error(`${def.name}: ${sources.filter((p) => !existsSync(p)).join(', ')} missing: is it run as ${from} partitions?`);
  const keys = def.partitionKeys ?? {};
  const locks: WriterLock[] = [];
  try {
    for (const path of sources) locks.push(acquireWriterLock(path, 'jetsaga repartition'));
    const dbs = sources.map((path) => new Database(path, { readonly: true }));
    try {
      for (const [i, db] of dbs.entries()) checkDrained(def.name, sources[i]!, db, keys);
      const placed = partitionDbs(dataDir, def.name, to);
      const clash = placed.filter((p) => !sources.includes(p) && existsSync(p));
      if (clash.length > 0) throw new Error(`${def.name}: ${clash.join(', ')} exist already and are not among the ${from} partitions: move them away first`);
      if (options.check) return { service: def.name, from: sources, to: placed, rows: {}, backup: '' };
      const work = join(dataDir, `repartition-${stamp}`);
      const targets = partitionDbs(work, def.name, to);
      const rows = copyRows(def, dbs, targets, keys, to);
      const backup = join(dataDir, `before-repartition-${stamp}`);
      mkdirSync(backup, { recursive: true });
      for (const db of dbs) db.close();
      for (const path of sources) for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, join(backup, basename(path) + suffix));
      targets.forEach((t, j) => renameSync(t, placed[j]!));
      rmSync(work, { recursive: true, force: true });
      return { service: def.name, from: sources, to: placed, rows, backup };
    } finally {
      for (const db of dbs) if (db.open) db.close();
    }
  } finally {
    for (const l of locks) l.release();
  }
}

const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);

function checkDrained(service: string, path: string, db: Database.Database, keys: Readonly<Record<string, string>>): void {
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const unsent = count('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
  const armed = count('SELECT count(*) AS n FROM timers WHERE fired_at IS NULL');
  if (unsent > 0 || armed > 0) {
    throw new Error(`${service}: ${path} is not drained (${unsent} outbox rows unsent, ${armed} timers armed): let every saga end (and kept holds be released) with the services running, then stop them`);
  }
  const own = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'").all() as { name: string }[])
    .map((t) => t.name)
    .filter((t) => !(KIT_TABLES as readonly string[]).includes(t));
  const unkeyed = own.filter((t) => keys[t] === undefined);
  if (unkeyed.length > 0) throw new Error(`${service}: no partition key for its table(s) ${unkeyed.join(', ')} (partitionKeys in its definition)`);
}

/** Writes the new files: each service table's rows by their keys, the inbox to all, the step log by saga. */
function copyRows(def: AnyServiceDefinition, sources: Database.Database[], targets: string[], keys: Readonly<Record<string, string>>, to: number): Record<string, number> {
  const outs = targets.map((path) => openServiceDb({ path, schema: def.schema, migrationsFolder: def.migrationsFolder, synchronous: 'FULL' }).$client);
  const rows: Record<string, number> = {};
  try {
    const tables: [string, string | null][] = [...Object.entries(keys), ['inbox', null], ['step_log', "coalesce(saga_id, '')"]];
    // rows come table by table (a hold's lines may come before the hold): the keys hold once all are in
    for (const out of outs) out.pragma('foreign_keys = OFF');
    for (const out of outs) out.exec('BEGIN');
    for (const [table, key] of tables) {
      rows[table] = 0;
      for (const db of sources) {
        const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; pk: number }[]).map((c) => c.name).filter((c) => !(table === 'step_log' && c === 'id'));
        const insert = outs.map((out) => out.prepare(`INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`));
        const select = db.prepare(`SELECT ${columns.join(', ')}${key ? `, (${key}) AS __key` : ''} FROM ${table}${table === 'step_log' ? ' ORDER BY id' : ''}`);
        for (const row of select.iterate() as Iterable<Record<string, unknown>>) {
          const values = columns.map((c) => row[c]);
          const places = key === null ? targets.map((_, j) => j) : [...new Set(String(row.__key ?? '').split(',').map((k) => partitionOf(k, to)))];
          for (const j of places) rows[table] += insert[j]!.run(...values).changes;
        }
      }
    }
    for (const out of outs) out.exec('COMMIT');
    for (const out of outs) markPartition(out, to);
    for (const out of outs) {
      const broken = out.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`${def.name}: ${broken.length} rows of the new files point at rows that are not there: ${JSON.stringify(broken.slice(0, 3))}`);
    }
    return rows;
  } finally {
    for (const out of outs) out.close();
  }
}

/**
 * The broker's side, as the admin: the durables of the old layout (`order-<Type>`, or
 * `order-p<i>-<Type>`) must be drained (nothing pending or unacked); they are deleted, and those of
 * the new layout created delivering only what is published from now on (what came before went
 * to the old partitions, whose state the files carry; COMMANDS, a work queue, holds nothing
 * once drained). Returns the durables deleted and created.
 * The broker's subject mapping must be changed to `to` too (`jetsaga infra nats-config
 * --partitions`, or the stack's `--partitions`), before anything is published.
 */
export async function repartitionDurables(jsm: JetStreamManager, def: AnyServiceDefinition, from: number, to: number, options: { check?: boolean } = {}): Promise<{ deleted: string[]; created: string[] }> {
  const old = durablesOf(def, from);
  const wanted = durablesOf(def, to);
  const busy: string[] = [];
  const existing: typeof old = [];
  for (const d of old) {
    try {
      const info = await jsm.consumers.info(d.stream, d.durable);
      existing.push(d);
      if (info.num_pending > 0 || info.num_ack_pending > 0) busy.push(`${d.durable} (${info.num_pending} pending, ${info.num_ack_pending} unacked)`);
    } catch (err) {
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code !== 10014) throw err;
    }
  }
  if (busy.length > 0) throw new Error(`${def.name}: not drained on the broker: ${busy.join(', ')}`);
  if (options.check) return { deleted: [], created: [] };
  for (const d of existing) await jsm.consumers.delete(d.stream, d.durable);
  for (const d of wanted) {
    await jsm.consumers.add(d.stream, {
      durable_name: d.durable,
      filter_subject: d.filterSubject,
      ack_policy: AckPolicy.Explicit,
      // a work queue holds only what is not taken yet (nothing, drained): it wants deliver-all
      deliver_policy: d.stream === STREAMS.commands ? DeliverPolicy.All : DeliverPolicy.New,
      ack_wait: nanos(30_000),
      max_deliver: -1,
    });
  }
  return { deleted: existing.map((d) => d.durable), created: wanted.map((d) => d.durable) };
}
