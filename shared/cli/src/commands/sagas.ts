import type { Command } from 'commander';
import Table from 'cli-table3';
import { listSagas, type SagaListing } from '@jetsaga/messaging/ops';
import { examples, output, parseDuration, UsageError } from '../cli-kit.js';
import { type GlobalOptions, withNats } from '../connection.js';

export interface SagasOptions {
  stuck?: boolean | string;
  failed?: boolean;
  state?: string;
  since?: string;
  search?: string;
  limit: string;
  before?: string;
}

/** The request the options make (the owners filter, newest first). */
export function sagasRequest(options: SagasOptions, now = Date.now()) {
  const limit = Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError(`--limit wants 1 to 500, not "${options.limit}"`);
  let before: { createdAt: string; sagaId: string } | undefined;
  if (options.before) {
    const [createdAt, sagaId] = options.before.split('/');
    if (!createdAt || !sagaId || Number.isNaN(Date.parse(createdAt))) throw new UsageError(`--before wants the "next" cursor of the previous page (<createdAt>/<sagaId>), not "${options.before}"`);
    before = { createdAt, sagaId };
  }
  return {
    states: options.state ? options.state.split(',').map((s) => s.trim().toUpperCase()) : undefined,
    failed: options.failed || undefined,
    stuckForMs: options.stuck === undefined ? undefined : parseDuration(typeof options.stuck === 'string' ? options.stuck : '1m'),
    since: options.since ? new Date(now - parseDuration(options.since)).toISOString() : undefined,
    search: options.search,
    before,
    limit,
  };
}

export function formatSagas(l: SagaListing): string {
  const table = new Table({ head: ['saga', 'state', 'reason', 'created', 'age'], colWidths: [24, 11, 16, 21, 7], wordWrap: true, style: { head: [], border: [] } });
  const now = Date.now();
  for (const s of l.sagas) table.push([s.sagaId, s.state, s.reason ?? '', s.createdAt.slice(0, 19), `${Math.round((now - Date.parse(s.createdAt)) / 1000)}s`]);
  const counts = Object.entries(l.counts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const total = Object.values(l.counts).reduce((a, b) => a + b, 0);
  const lines = [table.toString(), `${total} sagas: ${counts}`];
  if (l.next) lines.push(`more: --before ${l.next.createdAt}/${l.next.sagaId}`);
  if (l.unanswered.length > 0) lines.push(`no answer from: ${l.unanswered.join(', ')}`);
  return lines.join('\n');
}

export function registerSagas(program: Command): void {
  const cmd = program
    .command('sagas')
    .description('list sagas, newest first, from their owners over NATS (the `sagas` query of order, ...)')
    .option('--stuck [for]', 'open (PENDING, REFUNDING) with no change for this long (default 1m)')
    .option('--failed', 'cancelled')
    .option('--state <states>', 'PENDING, CONFIRMED, CANCELLED, REFUNDING or REFUNDED (comma-separated)')
    .option('--since <duration>', 'created within, e.g. 10m')
    .option('--search <id>', 'a saga id, or the start of one')
    .option('--limit <n>', 'rows per page (1-500)', '50')
    .option('--before <cursor>', 'the next page: the cursor the previous one printed')
    .action(async (options: SagasOptions, cmd: Command) => {
      const request = sagasRequest(options);
      await withNats(cmd.optsWithGlobals<GlobalOptions>(), async (nc) => {
        const listing = await listSagas(nc, request);
        if (listing.owners.length === 0) throw new Error('no service that owns sagas answers (is order running?)');
        output(cmd, listing, formatSagas);
      });
    });
  examples(cmd, ['jetsaga sagas', 'jetsaga sagas --stuck 5m', 'jetsaga sagas --failed --since 1h --json', 'jetsaga sagas --state PENDING,REFUNDING --limit 20', 'jetsaga sagas --search o-42']);
}
