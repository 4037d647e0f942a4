import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parsePartitionName, partitionNames, partitionOf } from '@jetsaga/events';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { acquireWriterLock, deadLetterCounts, isNotFound, markPartition, openServiceDb, STREAMS, type WriterLock } from '@jetsaga/messaging/ops';
import { AckPolicy, DeliverPolicy, type JetStreamManager, nanos } from 'nats';
import { durablesOf } from './auth/permissions.js';

/** The kit's tables: the inbox goes to every partition, the step log with its saga; the rest is drained history. */
const KIT_TABLES = ['outbox', 'inbox', 'timers', 'consumer_stats', 'step_log'] as const;
/** Tables whose rows of one key may come from several old partitions (inventory's per-partition holds of one order): the first copy is kept. */
const MERGED = new Set(['reservations']);

/** The db files of a service run as `count` partitions (one: `<service>.db`). */
export function partitionDbs(dataDir: string, service: string, count: number): string[] {
  return partitionNames(service, count).map((name) => join(dataDir, `${name}.db`));
}

export interface RepartitionReport {
  service: string;
  from: string[];
  to: string[];
  /** Rows written to the new files, by table (a row copied to several partitions counts in each). */
  rows: Record<string, number>;
  /** Rows of one key met again from another old partition and not written (inventory's holds of one order). */
  merged: number;
  /** Where the old files went. */
  backup: string;
}

/** One service's re-partitioning, checked, its files locked: built, then swapped in. */
export interface RepartitionPlan {
  def: AnyServiceDefinition;
  from: number;
  to: number;
  sources: string[];
  placed: string[];
  locks: WriterLock[];
}

/**
 * Checks that a service may be re-partitioned from `from` partitions to `to`, and holds its
 * files: each unlocked (stopped), marked as one of `from` (or unmarked, from before marks), on
 * this release's schema (migrated here if behind), drained (no outbox row unsent, no timer
 * armed: a saga in flight has one), with a partition key for each of its tables, and no file of
 * the new layout in the way. Null when the service has no files here. Throws saying why not,
 * having changed nothing but a schema migration.
 */
export function planRepartition(def: AnyServiceDefinition, dataDir: string, from: number, to: number): RepartitionPlan | null {
  const sources = partitionDbs(dataDir, def.name, from);
  const present = sources.filter((p) => existsSync(p));
  if (present.length === 0) return null;
  if (present.length < sources.length) throw new Error(`${def.name}: ${sources.filter((p) => !existsSync(p)).join(', ')} missing: is it run as ${from} partitions?`);
  const placed = partitionDbs(dataDir, def.name, to);
  if (to > 1 && placed.every((p) => existsSync(p) && markOf(p) === to)) return null; // moved already (a run that stopped after it)
  const locks: WriterLock[] = [];
  try {
    for (const path of new Set([...sources, ...placed])) locks.push(acquireWriterLock(path, 'jetsaga repartition'));
    const clash = placed.filter((p) => !sources.includes(p)).flatMap((p) => ['', '-wal', '-shm'].map((s) => p + s)).filter((p) => existsSync(p));
    if (clash.length > 0) throw new Error(`${def.name}: ${clash.join(', ')} exist already and are not among the ${from} partitions: move them away first`);
    for (const path of sources) {
      // behind on migrations: brought up to date first, as the service would at its start
      openServiceDb({ path, schema: def.schema, migrationsFolder: def.migrationsFolder }).$client.close();
      const db = new Database(path, { readonly: true });
      try {
        checkSource(def, path, db, from);
      } finally {
        db.close();
      }
    }
    return { def, from, to, sources, placed, locks };
  } catch (err) {
    for (const l of locks) l.release();
    throw err;
  }
}

function checkSource(def: AnyServiceDefinition, path: string, db: Database.Database, from: number): void {
  const mark = db.pragma('application_id', { simple: true }) as number;
  if (mark !== 0 && mark !== from) throw new Error(`${def.name}: ${path} is one of ${mark} partitions, not of ${from}: give --from ${mark}`);
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const unsent = count('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL');
  const armed = count('SELECT count(*) AS n FROM timers WHERE fired_at IS NULL');
  if (unsent > 0 || armed > 0) {
    throw new Error(`${def.name}: ${path} is not drained (${unsent} outbox rows unsent, ${armed} timers armed): let every saga end (and kept holds be released) with the services running, then stop them`);
  }
  const own = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'").all() as { name: string }[])
    .map((t) => t.name)
    .filter((t) => !(KIT_TABLES as readonly string[]).includes(t));
  const unkeyed = own.filter((t) => def.partitionKeys?.[t] === undefined);
  if (unkeyed.length > 0) throw new Error(`${def.name}: no partition key for its table(s) ${unkeyed.join(', ')} (partitionKeys in its definition)`);
}

/**
 * Writes the new files aside (`<data dir>/repartition-<stamp>/`): each row of the service's
 * tables in the partition of its key (`partitionKeys`, FNV-1a like the broker; a
 * comma-separated key places a copy in each), the inbox in every file under the consumer
 * names of that partition (a handled message stays handled wherever it lands), the step log
 * with its saga in time order. The drained outbox, fired timers and counters stay behind.
 */
export function buildRepartition(plan: RepartitionPlan, work: string): { files: string[]; rows: Record<string, number>; merged: number } {
  const { def, to } = plan;
  const files = partitionDbs(work, def.name, to);
  const names = partitionNames(def.name, to);
  const outs = files.map((path) => openServiceDb({ path, schema: def.schema, migrationsFolder: def.migrationsFolder, synchronous: 'FULL' }).$client);
  const sources = plan.sources.map((path) => new Database(path, { readonly: true }));
  const rows: Record<string, number> = {};
  let merged = 0;
  try {
    // rows come table by table (a hold's lines may come before the hold): the keys hold once all are in
    for (const out of outs) out.pragma('foreign_keys = OFF');
    for (const out of outs) out.exec('BEGIN');
    const copy = (table: string, columns: string[], row: Record<string, unknown>, places: number[], values = (_j: number) => columns.map((c) => row[c])) => {
      for (const j of places) {
        // one message handled by several old partitions (inventory's order events) is one inbox row
        const verb = MERGED.has(table) || table === 'inbox' ? 'INSERT OR IGNORE' : 'INSERT';
        const written = outs[j]!.prepare(`${verb} INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(...values(j)).changes;
        rows[table] = (rows[table] ?? 0) + written;
        if (MERGED.has(table)) merged += 1 - written;
      }
    };
    const columnsOf = (db: Database.Database, table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
    for (const [table, key] of Object.entries(def.partitionKeys ?? {})) {
      for (const db of sources) {
        const columns = columnsOf(db, table);
        for (const row of db.prepare(`SELECT ${columns.join(', ')}, (${key}) AS __key FROM ${table}`).iterate() as Iterable<Record<string, unknown>>) {
          copy(table, columns, row, [...new Set(String(row.__key ?? '').split(',').map((k) => partitionOf(k, to)))]);
        }
      }
    }
    const all = files.map((_, j) => j);
    for (const db of sources) {
      for (const row of db.prepare('SELECT consumer, event_id, processed_at FROM inbox').iterate() as Iterable<Record<string, unknown>>) {
        const type = typeOfConsumer(def.name, String(row.consumer));
        copy('inbox', ['consumer', 'event_id', 'processed_at'], row, all, (j) => [`${names[j]}-${type}`, row.event_id, row.processed_at]);
      }
    }
    const stepColumns = columnsOf(sources[0]!, 'step_log').filter((c) => c !== 'id');
    const steps = sources.flatMap((db) => db.prepare(`SELECT ${stepColumns.join(', ')} FROM step_log ORDER BY id`).all() as Record<string, unknown>[]);
    steps.sort((a, b) => Number(a.created_at) - Number(b.created_at));
    for (const step of steps) copy('step_log', stepColumns, step, [partitionOf(String(step.saga_id ?? ''), to)]);
    for (const out of outs) out.exec('COMMIT');
    for (const out of outs) {
      const broken = out.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`${def.name}: ${broken.length} rows of the new files point at rows that are not there: ${JSON.stringify(broken.slice(0, 3))}`);
      markPartition(out, to);
    }
    return { files, rows, merged };
  } finally {
    for (const db of sources) db.close();
    for (const out of outs) if (out.open) out.close();
  }
}

/** `order-p1-PlaceOrder` or `order-PlaceOrder`: `PlaceOrder`. */
function typeOfConsumer(service: string, consumer: string): string {
  const prefix = consumer.slice(0, consumer.lastIndexOf('-'));
  const owner = parsePartitionName(prefix)?.service ?? prefix;
  if (owner !== service) throw new Error(`${service}: inbox row of consumer ${consumer}, not one of this service's`);
  return consumer.slice(prefix.length + 1);
}

/** Moves the old files to `<data dir>/before-repartition-<stamp>/` and the new ones into place (the caller releases the plan's locks). */
export function swapRepartition(plan: RepartitionPlan, built: { files: string[]; rows: Record<string, number>; merged: number }, dataDir: string, stamp: string): RepartitionReport {
  const backup = join(dataDir, `before-repartition-${stamp}`);
  mkdirSync(backup, { recursive: true });
  for (const path of plan.sources) for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, join(backup, basename(path) + suffix));
  built.files.forEach((f, j) => renameSync(f, plan.placed[j]!));
  return { service: plan.def.name, from: plan.sources, to: plan.placed, rows: built.rows, merged: built.merged, backup };
}

export function releasePlan(plan: RepartitionPlan): void {
  for (const l of plan.locks) l.release();
}

function markOf(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('application_id', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/** The whole of it for one service, files only (the broker's durables: repartitionDurables). */
export function repartitionService(def: AnyServiceDefinition, dataDir: string, from: number, to: number, stamp = new Date().toISOString().replace(/[:.]/g, '-')): RepartitionReport | null {
  const plan = planRepartition(def, dataDir, from, to);
  if (!plan) return null;
  const work = join(dataDir, `repartition-${stamp}`);
  try {
    return swapRepartition(plan, buildRepartition(plan, work), dataDir, stamp);
  } finally {
    releasePlan(plan);
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The broker's side, as the admin. `check`: the durables of the old layout (`order-<Type>`, or
 * `order-p<i>-<Type>`) are drained (nothing pending or unacked) and no dead letter of the service
 * waits (a saga stuck on one would stay stuck: its re-drive carries the old partition tokens);
 * returns EVENTS' last sequence. Otherwise: deletes them and creates the new layout's, which
 * take EVENTS from just after `afterSeq` (what came before went to the old partitions, whose state
 * the files carry) and COMMANDS (a work queue, empty once drained) whole. The broker's subject
 * mapping must be changed to `to` too before anything is published.
 */
export async function repartitionDurables(
  jsm: JetStreamManager,
  def: AnyServiceDefinition,
  from: number,
  to: number,
  options: { check: true } | { afterSeq: number },
): Promise<{ lastSeq: number; deleted: string[]; created: string[] }> {
  const old = durablesOf(def, from);
  const busy: string[] = [];
  const existing: typeof old = [];
  for (const d of old) {
    try {
      const info = await jsm.consumers.info(d.stream, d.durable);
      existing.push(d);
      if (info.num_pending > 0 || info.num_ack_pending > 0) busy.push(`${d.durable} (${info.num_pending} pending, ${info.num_ack_pending} unacked)`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  if (busy.length > 0) throw new Error(`${def.name}: not drained on the broker: ${busy.join(', ')}`);
  const waiting = (await deadLetterCounts(jsm, def.name)).count;
  if (waiting > 0) throw new Error(`${def.name}: ${waiting} dead letters wait (jetsaga dlq list --service ${def.name}): re-drive or drop them first`);
  const lastSeq = (await jsm.streams.info(STREAMS.events)).state.last_seq;
  if ('check' in options) return { lastSeq, deleted: [], created: [] };
  if (lastSeq !== options.afterSeq) throw new Error(`EVENTS moved from seq ${options.afterSeq} to ${lastSeq} during the repartition: something still publishes; stop it and run again`);
  for (const d of existing) await jsm.consumers.delete(d.stream, d.durable);
  const wanted = durablesOf(def, to);
  for (const d of wanted) {
    const events = d.stream === STREAMS.events;
    await jsm.consumers.add(d.stream, {
      durable_name: d.durable,
      filter_subject: d.filterSubject,
      ack_policy: AckPolicy.Explicit,
      ...(events ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 } : { deliver_policy: DeliverPolicy.All }),
      ack_wait: nanos(30_000),
      max_deliver: -1,
    });
  }
  return { lastSeq, deleted: existing.map((d) => d.durable), created: wanted.map((d) => d.durable) };
}
