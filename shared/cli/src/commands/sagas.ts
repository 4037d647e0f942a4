import type { Command } from 'commander';
import Table from 'cli-table3';
import { dataDirOf, type GlobalOptions } from '../connection.js';
import { LocalDbs } from '../local-dbs.js';

export interface SagaRow {
  orderId: string;
  status: string;
  reason: string | null;
  createdAt: number;
  updatedAt: number;
  deadline: number | null;
}

export interface SagaQuery {
  stuck?: boolean;
  failed?: boolean;
  state?: string;
  sinceMs?: number;
  now?: number;
}

/** Sagas from the order service's db: stuck = not terminal after its deadline; failed = cancelled. */
export function listSagas(rows: SagaRow[], q: SagaQuery): SagaRow[] {
  const now = q.now ?? Date.now();
  return rows.filter((r) => {
    if (q.sinceMs !== undefined && r.createdAt < now - q.sinceMs) return false;
    if (q.state && r.status !== q.state.toUpperCase()) return false;
    if (q.failed && r.status !== 'CANCELLED') return false;
    if (q.stuck && !isStuck(r, now)) return false;
    return true;
  });
}

export function isStuck(r: SagaRow, now: number): boolean {
  if (r.status === 'PENDING') return r.deadline === null || r.deadline < now;
  return r.status === 'REFUNDING' && r.updatedAt < now - 60_000;
}

export function parseSince(value: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(value);
  if (!m) throw new Error(`"${value}" is not a duration like 30s, 10m, 2h, 1d`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

export function registerSagas(program: Command): void {
  program
    .command('sagas')
    .description("list order sagas by state, from the order service's db in the data dir")
    .option('--stuck', 'not terminal after their deadline')
    .option('--failed', 'cancelled')
    .option('--state <state>', 'PENDING, CONFIRMED, CANCELLED, REFUNDING or REFUNDED')
    .option('--since <duration>', 'created within, e.g. 10m')
    .option('--limit <n>', 'rows to show', '50')
    .option('--json', 'machine-readable output')
    .action((options: { stuck?: boolean; failed?: boolean; state?: string; since?: string; limit: string; json?: boolean }, cmd: Command) => {
      const dbs = new LocalDbs(dataDirOf(cmd.optsWithGlobals<GlobalOptions>()));
      const db = dbs.get('order');
      if (!db) throw new Error(`no order db in ${dbs.dataDir} (run this where the order service runs, or pass --data-dir)`);
      const all = db
        .prepare(
          `SELECT o.order_id AS orderId, o.status, coalesce(o.cancel_reason, o.refund_reason) AS reason, o.created_at AS createdAt, o.updated_at AS updatedAt,
                  t.due_at AS deadline
             FROM orders o LEFT JOIN timers t ON t.id = 'OrderDeadline:' || o.order_id ORDER BY o.created_at`,
        )
        .all() as SagaRow[];
      dbs.close();
      const rows = listSagas(all, { stuck: options.stuck, failed: options.failed, state: options.state, sinceMs: options.since ? parseSince(options.since) : undefined });
      const counts: Record<string, number> = {};
      for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
      if (options.json) return console.log(JSON.stringify({ counts, sagas: rows }, null, 2));
      const table = new Table({ head: ['order', 'state', 'reason', 'created', 'age'], colWidths: [22, 11, 16, 20, 5], wordWrap: true, style: { head: [], border: [] } });
      for (const r of rows.slice(-Number(options.limit))) {
        table.push([r.orderId, r.status, r.reason ?? '', new Date(r.createdAt).toISOString().slice(0, 19), `${Math.round((Date.now() - r.createdAt) / 1000)}s`]);
      }
      console.log(table.toString());
      console.log(`${rows.length} sagas: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    });
}
