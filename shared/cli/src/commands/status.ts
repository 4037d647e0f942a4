import type { Command } from 'commander';
import Table from 'cli-table3';
import type { NatsConnection } from 'nats';
import { STREAMS } from '@jetsaga/messaging/ops';
import { allServices } from '@jetsaga/stack';
import { dataDirOf, type GlobalOptions, withNats } from '../connection.js';
import { LocalDbs } from '../local-dbs.js';

export interface ConsumerStatus {
  service: string;
  consumer: string;
  pending: number;
  ackPending: number;
  redelivered: number;
}

export interface ServiceStatus {
  service: string;
  outboxBacklog: number | null;
  oldestUnsentSeconds: number | null;
  dlqDepth: number;
  lastError: string | null;
}

export interface SystemStatus {
  consumers: ConsumerStatus[];
  services: ServiceStatus[];
  problems: string[];
}

/** Consumer lag from JetStream; outbox backlog and last error from the dbs in the data dir. */
export async function readStatus(nc: NatsConnection, dataDir: string): Promise<SystemStatus> {
  const jsm = await nc.jetstreamManager();
  const consumers: ConsumerStatus[] = [];
  for (const stream of [STREAMS.events, STREAMS.commands]) {
    for await (const c of jsm.consumers.list(stream)) {
      if (!c.config.durable_name) continue;
      consumers.push({ service: c.name.split('-')[0]!, consumer: c.name, pending: c.num_pending, ackPending: c.num_ack_pending, redelivered: c.num_redelivered });
    }
  }
  consumers.sort((a, b) => a.consumer.localeCompare(b.consumer));
  const dlq = await jsm.streams.info(STREAMS.dlq, { subjects_filter: 'dlq.>' });
  const depth = new Map<string, number>();
  for (const [subject, n] of Object.entries(dlq.state.subjects ?? {})) {
    const service = subject.split('.')[1]!;
    depth.set(service, (depth.get(service) ?? 0) + n);
  }
  const dbs = new LocalDbs(dataDir);
  const now = Date.now();
  const services = allServices.map((service): ServiceStatus => {
    const db = dbs.get(service);
    const outbox = db?.prepare('SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE sent_at IS NULL').get() as { n: number; oldest: number | null } | undefined;
    const error = db?.prepare("SELECT step, error, created_at FROM step_log WHERE status != 'done' ORDER BY id DESC LIMIT 1").get() as
      | { step: string; error: string; created_at: number }
      | undefined;
    return {
      service,
      outboxBacklog: outbox ? outbox.n : null,
      oldestUnsentSeconds: outbox?.oldest ? Math.round((now - outbox.oldest) / 1000) : outbox ? 0 : null,
      dlqDepth: depth.get(service) ?? 0,
      lastError: error ? `${new Date(error.created_at).toISOString().slice(11, 19)} ${error.step}: ${error.error}` : null,
    };
  });
  dbs.close();
  const problems = [
    ...consumers.filter((c) => c.pending + c.ackPending > 100).map((c) => `${c.consumer} is ${c.pending + c.ackPending} behind`),
    ...services.filter((s) => (s.oldestUnsentSeconds ?? 0) > 10).map((s) => `${s.service} outbox: oldest unsent ${s.oldestUnsentSeconds} s`),
    ...services.filter((s) => s.dlqDepth > 0).map((s) => `${s.service}: ${s.dlqDepth} dead letters`),
  ];
  return { consumers, services, problems };
}

export function formatStatus(s: SystemStatus): string {
  const consumers = new Table({ head: ['consumer', 'pending', 'unacked', 'redelivered'], colWidths: [34, 10, 10, 13], style: { head: [], border: [] } });
  for (const c of s.consumers) consumers.push([c.consumer, c.pending, c.ackPending, c.redelivered]);
  const services = new Table({ head: ['service', 'outbox', 'oldest', 'dlq', 'last error'], colWidths: [14, 8, 8, 6, 38], wordWrap: true, style: { head: [], border: [] } });
  for (const v of s.services) {
    services.push([v.service, v.outboxBacklog ?? '-', v.oldestUnsentSeconds === null ? '-' : `${v.oldestUnsentSeconds}s`, v.dlqDepth, v.lastError ?? '-']);
  }
  const verdict = s.problems.length === 0 ? 'HEALTHY' : `NEEDS ATTENTION: ${s.problems.join('; ')}`;
  return `${consumers.toString()}\n${services.toString()}\n${verdict}`;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('consumer lag, outbox backlog, dead letters and last error per service')
    .option('-w, --watch [seconds]', 'refresh every few seconds')
    .option('--json', 'machine-readable output')
    .action(async (options: { watch?: boolean | string; json?: boolean }, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      await withNats(global, async (nc) => {
        for (;;) {
          const status = await readStatus(nc, dataDirOf(global));
          const text = options.json ? JSON.stringify(status, null, 2) : formatStatus(status);
          if (!options.watch) return console.log(text);
          console.clear();
          console.log(`${new Date().toISOString()}\n${text}`);
          await new Promise((r) => setTimeout(r, Number(options.watch === true ? 2 : options.watch) * 1000));
        }
      });
    });
}
