// npm run bench -- [--duration 10s] [--warmup 10s] [--concurrency 50] [--rate 500] [--mix 90/5/5] [--modes fast,durable] [--services all|core] [--transfers] [--partitions N] [--keys N] [--scrape 5s] [--json out.json]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from 'nats';
import type { Synchronous } from '@jetsaga/messaging/ops';
import { freePort, NatsServer } from '@jetsaga/stack';
import { orderSagaServices } from '@jetsaga/stack';
import { coreServices, TestStack, transferServices } from '../support/harness.js';
import { findViolations } from '../support/invariants.js';
import { jetstreamHopCeiling } from './ceiling-jetstream.js';
import { localTransactionsCeiling, walFramesPerSaga } from './ceiling-local.js';
import { floorChain } from './floor-chain.js';
import { closedLoop, type LoadResult, type Mix, openLoop, seedForBench } from './system.js';
import { scrapeMetrics } from './scrape.js';
import { seedTransfers, transferClosedLoop } from './transfers.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10s' },
    // at --concurrency in flight before anything is measured: the system speeds up over its first seconds under load
    warmup: { type: 'string', default: '10s' },
    concurrency: { type: 'string', default: '50' },
    rate: { type: 'string', default: '500' },
    mix: { type: 'string', default: '90/5/5' },
    modes: { type: 'string', default: 'fast,durable' },
    orders: { type: 'string', default: '2000' },
    json: { type: 'string' },
    // core: order, inventory and payment only, the 3-step saga the peers run; all: the order saga's five services
    services: { type: 'string', default: 'all' },
    // also the transfer saga (transfer, bank-a, bank-b in the same stack): transfers per second next to orders
    transfers: { type: 'boolean', default: false },
    // each service that can split (order, payment, loyalty, notification) as this many processes
    partitions: { type: 'string', default: '1' },
    // customers and skus the orders spread over (1: the peers' workload; partitions need several)
    keys: { type: 'string', default: '1' },
    // every service's /metrics fetched this often, as Prometheus watches a deployment (default: not scraped)
    scrape: { type: 'string' },
  },
});
if (values.services !== 'all' && values.services !== 'core') throw new Error('--services all or core');
const partitions = Number(values.partitions); // Stack.start says what a bad one is
const services = [...(values.services === 'core' ? coreServices : orderSagaServices), ...(values.transfers ? transferServices : [])];
const seconds = (s: string, option: string): number => {
  const ms = Number(/^(\d+)s$/.exec(s)?.[1] ?? NaN) * 1000;
  if (!Number.isFinite(ms)) throw new Error(`--${option} like 10s`);
  return ms;
};
const durationMs = seconds(values.duration!, 'duration');
const warmupMs = seconds(values.warmup!, 'warmup');
const inFlight = Number(values.concurrency);
const [happy, noStock, noFunds] = values.mix!.split('/').map(Number) as [number, number, number];
const scrapeMs = values.scrape ? seconds(values.scrape, 'scrape') : 0;
if (scrapeMs > 0 && partitions > 1) throw new Error('--scrape runs with --partitions 1 (one metrics port a service)');
const keys = Number(values.keys);
if (!Number.isInteger(keys) || keys < 1) throw new Error('--keys 1 or more');
const mix: Mix = { happy, noStock, noFunds, keys };
const modes: { name: string; synchronous: Synchronous }[] = values.modes!.split(',').map((m) => ({ name: m, synchronous: m === 'durable' ? 'FULL' : 'NORMAL' }));
const progress = (label: string) => (done: number) => process.stdout.isTTY && process.stdout.write(`\r  ${label}: ${done} sagas`);
const line = (s = '') => console.log(s);

line(`jetsaga bench on ${process.version}, nats-server (file store, 2.9 default sync), mix ${values.mix}${keys > 1 ? `, orders spread over ${keys} customers and skus` : ''}`);

// Ceiling A: the raw JetStream hop
const hopDir = mkdtempSync(join(tmpdir(), 'jetsaga-bench-hop-'));
const hopServer = await NatsServer.start({ storeDir: hopDir });
const hopNc = await connect({ servers: hopServer.url });
const ceilingA = await jetstreamHopCeiling(hopNc, { messages: 20_000, bytes: 600, window: 256 });
// The saga's hops through the services: PlaceOrder -> order -> inventory -> payment -> order.
const floor = await floorChain(hopNc, { hops: 4, sagas: 1000, bytes: 600 });
await hopNc.close();
await hopServer.stop();
rmSync(hopDir, { recursive: true, force: true });
line(`ceiling A  raw JetStream hop (publish+PubAck window 256, pull, ack, 600 B): ${Math.round(ceilingA)} msg/s`);
line(`floor      the saga's 4 hops as a raw chain of durable pull consumers, 1 in flight, no db: p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms`);

// Ceiling B: the saga's local transactions with no messaging
const ceilingB: Record<string, number> = {};
for (const mode of modes) {
  localTransactionsCeiling({ sagas: inFlight * 4, synchronous: mode.synchronous, inFlight }); // warm-up
  ceilingB[mode.name] = localTransactionsCeiling({ sagas: Number(values.orders), synchronous: mode.synchronous, inFlight });
  line(`ceiling B  local transactions, one process, ${inFlight} sagas a transaction, synchronous=${mode.synchronous}: ${Math.round(ceilingB[mode.name]!)} sagas/s`);
}
const walFrames = walFramesPerSaga({ sagas: 500, warmSagas: 2000 });
line(`pages      WAL frames a saga's commits write on ceiling B's path, one saga a transaction (the machine's speed does not move it): ${walFrames.toFixed(1)}`);

const results: (LoadResult & { mode: string; synchronous: Synchronous; violations: string[] })[] = [];
for (const mode of modes) {
  line(`\nsystem, ${mode.name} mode (SQLite synchronous=${mode.synchronous}, WAL): ${services.join(', ')}, each a process${partitions > 1 ? ` (those that can split: ${partitions} partitions each)` : ''}, as npm start runs them`);
  const metricsPorts: number[] = [];
  for (let i = 0; scrapeMs > 0 && i < services.length; i++) metricsPorts.push(await freePort());
  const serviceEnv = scrapeMs > 0 ? Object.fromEntries(services.map((s, i) => [s, { JETSAGA_METRICS_PORT: String(metricsPorts[i]) }])) : undefined;
  const t = await TestStack.start({ services, partitions, serviceEnv, env: { JETSAGA_SQLITE_SYNCHRONOUS: mode.synchronous, LOG_LEVEL: 'warn', JETSAGA_ORDER_DEADLINE_MS: '120000' } });
  const scraper = scrapeMs > 0 ? scrapeMetrics(metricsPorts, scrapeMs) : null;
  try {
    await seedForBench(t, keys);
    await closedLoop(t, { label: 'warm-up', durationMs: warmupMs, mix, prefix: `${mode.name}-warm`, concurrency: inFlight });
    const runs = [
      await closedLoop(t, { label: 'closed, 1 in flight', durationMs: durationMs / 2, mix, prefix: `${mode.name}-c1`, concurrency: 1, onProgress: progress('closed 1') }),
      await closedLoop(t, { label: `closed, ${inFlight} in flight`, durationMs, mix, prefix: `${mode.name}-c`, concurrency: inFlight, onProgress: progress('closed') }),
      await openLoop(t, { label: `open, ${values.rate}/s offered`, durationMs, mix, prefix: `${mode.name}-o`, rate: Number(values.rate), onProgress: progress('open') }),
    ];
    if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
    await t.waitForQuiescence({ timeoutMs: 120_000 });
    const violations = findViolations(t);
    for (const r of runs) {
      results.push({ ...r, mode: mode.name, synchronous: mode.synchronous, violations });
      line(
        `  ${r.label.padEnd(22)} ${r.sagasPerSecond.toFixed(0).padStart(6)} sagas/s ${r.eventsPerSecond.toFixed(0).padStart(7)} events/s  ` +
          `p50 ${r.latencyMs.p50.toFixed(1)} p95 ${r.latencyMs.p95.toFixed(1)} p99 ${r.latencyMs.p99.toFixed(1)} max ${r.latencyMs.max.toFixed(1)} ms  (${r.sagas} sagas, ${r.confirmed} confirmed)`,
      );
    }
    const single = runs[0]!;
    line(`  1 in flight vs the floor: p50 ${(single.latencyMs.p50 / floor.p50).toFixed(1)}x, p99 ${(single.latencyMs.p99 / floor.p99).toFixed(1)}x`);
    const last = runs[1]!;
    line(`  per process during the closed loop: ${perProcess(last)}`);
    line(`  system/ceiling A (events/s per raw hop): ${(last.eventsPerSecond / ceilingA).toFixed(2)}; system/ceiling B (sagas/s): ${(last.sagasPerSecond / ceilingB[mode.name]!).toFixed(2)}`);
    if (values.transfers) {
      await seedTransfers(t);
      await transferClosedLoop(t, { label: 'warm-up', durationMs: warmupMs, prefix: `${mode.name}-twarm`, concurrency: inFlight });
      const transfers = [
        await transferClosedLoop(t, { label: 'transfers, 1 in flight', durationMs: durationMs / 2, prefix: `${mode.name}-t1`, concurrency: 1, onProgress: progress('transfers 1') }),
        await transferClosedLoop(t, { label: `transfers, ${inFlight} in flight`, durationMs, prefix: `${mode.name}-tc`, concurrency: inFlight, onProgress: progress('transfers') }),
      ];
      if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
      await t.waitForQuiescence({ timeoutMs: 120_000 });
      violations.push(...findViolations(t));
      for (const r of transfers) {
        results.push({ ...r, mode: mode.name, synchronous: mode.synchronous, violations });
        line(
          `  ${r.label.padEnd(22)} ${r.sagasPerSecond.toFixed(0).padStart(6)} sagas/s ${r.eventsPerSecond.toFixed(0).padStart(7)} events/s  ` +
            `p50 ${r.latencyMs.p50.toFixed(1)} p95 ${r.latencyMs.p95.toFixed(1)} p99 ${r.latencyMs.p99.toFixed(1)} max ${r.latencyMs.max.toFixed(1)} ms  (${r.sagas} transfers, ${r.confirmed} completed)`,
        );
      }
      line(`  per process during the transfers: ${perProcess(transfers[1]!, (name) => /^(transfer|bank-|nats)/.test(name))}`);
    }
    if (scraper) {
      const { sent, answered } = scraper.stop();
      line(`  /metrics of every service fetched every ${values.scrape}: ${answered} of ${sent} scrapes answered`);
    }
    line(`  after quiescence: every saga terminal and invariants hold: ${violations.length === 0 ? 'yes' : `NO (${violations.slice(0, 5).join('; ')})`}`);
  } finally {
    scraper?.stop();
    await t.stop();
  }
}
/**
 * CPU, CPU time per saga (steadier than sagas/s when the machine's speed swings: it moves
 * only with the speed of the CPU, not with how the processes share it) and peak RSS.
 */
function perProcess(r: LoadResult, keep: (name: string) => boolean = () => true): string {
  return r.processes
    .filter((p) => keep(p.name))
    .map((p) => `${p.name} ${p.cpuPercent.toFixed(0)}% CPU (${((p.cpuPercent * 10) / r.sagasPerSecond).toFixed(2)} ms a saga), peak RSS ${p.peakRssMb.toFixed(0)} MB`)
    .join('; ');
}

if (values.json) writeFileSync(values.json, JSON.stringify({ services: values.services, scrape: scrapeMs > 0 ? values.scrape : null, ceilingA, floor, ceilingB, walFrames, results }, null, 2));
process.exit(results.some((r) => r.violations.length > 0) ? 1 : 0);
