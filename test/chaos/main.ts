// npm run chaos -- --orders 5000 --kill-every 2s --duration 120s --seed 42
// npm run chaos -- --profile protocol --seed 4242      (every protocol path: kept holds, late charges, refunds)
// npm run chaos -- --cluster 3 --orders 2000 --kill-every 2s --seed 7
// npm run chaos -- --partitions 2 --orders 1000 --kill-every 2s --seed 9   (each service that can split as 2 processes)
// npm run chaos -- --mix orders,transfers --seed 42            (half the sagas transfers between banks a and b)
import { parseArgs } from 'node:util';
import { runChaos } from './run-chaos.js';
import { parseMix } from './transfer-mix.js';

/**
 * Named sets of options (README, "Chaos run"); an option given on the command line wins.
 * - `protocol`: every protocol path under fast chaos: holds kept 3 s for their customer and
 *   taken by re-orders (split between them too), 3 s deadlines with charges landing after
 *   them (refunded), refunds (a tenth of confirmed orders, some asked twice), a kill or pause
 *   every second, a 1 s ack wait, a tenth of orders sent twice.
 * - `cluster`: a 3-node JetStream cluster, streams replicated 3 times, its nodes (the leaders
 *   of EVENTS, COMMANDS and the meta group among them) killed and restarted besides services.
 */
const profiles: Record<string, Record<string, string>> = {
  protocol: {
    orders: '3000',
    duration: '90s',
    'kill-every': '1s',
    'ack-wait': '1s',
    deadline: '3s',
    'duplicate-ratio': '0.1',
    'release-delay': '3s',
    'refund-ratio': '0.1',
  },
  cluster: { cluster: '3', orders: '2000', 'kill-every': '2s' },
};

const defaults: Record<string, string> = {
  orders: '2000',
  duration: '60s',
  'kill-every': '2s',
  clients: '4',
  'duplicate-ratio': '0.03',
  'ack-wait': '2s',
  deadline: '20s',
  settle: '180s',
  cluster: '1',
  partitions: '1',
  'refund-ratio': '0.05',
  // `--orders` sagas in all, of these kinds by weight: orders, transfers (orders=3,transfers=1)
  mix: 'orders',
  // Kept holds are off unless asked for (the services' default), or set in the environment.
  'release-delay': process.env.JETSAGA_STOCK_RELEASE_DELAY_MS ?? process.env.STOCK_RELEASE_DELAY_MS ?? '0',
};

const { values: given } = parseArgs({
  options: {
    profile: { type: 'string' },
    orders: { type: 'string' },
    duration: { type: 'string' },
    'kill-every': { type: 'string' },
    seed: { type: 'string' },
    clients: { type: 'string' },
    'duplicate-ratio': { type: 'string' },
    'ack-wait': { type: 'string' },
    deadline: { type: 'string' },
    settle: { type: 'string' },
    cluster: { type: 'string' },
    // every service but the banks as this many partitions each
    partitions: { type: 'string' },
    'release-delay': { type: 'string' },
    'refund-ratio': { type: 'string' },
    mix: { type: 'string' },
    json: { type: 'string' },
  },
});
if (given.profile && !profiles[given.profile]) throw new Error(`no chaos profile "${given.profile}" (one of: ${Object.keys(profiles).join(', ')})`);
const values: Record<string, string | undefined> = { ...defaults, ...(given.profile ? profiles[given.profile] : {}), ...given };

function ms(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!m) throw new Error(`"${value}" is not a duration (e.g. 500ms, 2s, 1m)`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 'ms'] ?? 1);
}

const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
console.log(`chaos run, seed ${seed} (rerun with --seed ${seed} for the same schedule of kills)${given.profile ? `, profile ${given.profile}` : ''}`);
const report = await runChaos({
  orders: Number(values.orders),
  durationMs: ms(values.duration!),
  killEveryMs: ms(values['kill-every']!),
  seed,
  clients: Number(values.clients),
  duplicateRatio: Number(values['duplicate-ratio']),
  ackWaitMs: ms(values['ack-wait']!),
  deadlineMs: ms(values.deadline!),
  settleMs: ms(values.settle!),
  cluster: Number(values.cluster),
  partitions: Number(values.partitions),
  releaseDelayMs: ms(values['release-delay']!),
  refundRatio: Number(values['refund-ratio']),
  mix: parseMix(values.mix!),
  log: (line) => console.log(line),
});

const kinds = (k: string) => report.actions.filter((a) => a.action.kind === k).length;
console.log('\n=== chaos report ===');
console.log(`seed                      ${report.seed}`);
console.log(`orders placed             ${report.ordersPlaced} (+${report.duplicatesSent} sent twice)${report.transfersPlaced ? `, transfers ${report.transfersPlaced}` : ''}`);
console.log(`outcomes                  ${Object.entries(report.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`service kills             ${kinds('kill')}, broker restarts ${kinds('broker')}, pauses past ack wait ${kinds('pause')}`);
if (Number(values.partitions) > 1) console.log(`partitions                ${values.partitions} of each service but the banks (order, inventory, payment, loyalty, notification)`);
if (report.clusterSize > 1) {
  const aimed = (target: string) => report.nodeKills.filter((k) => k.target === target).length;
  const perNode = new Map<string, number>();
  for (const k of report.nodeKills) perNode.set(k.node, (perNode.get(k.node) ?? 0) + 1);
  const byNode = [...perNode].sort().map(([n, count]) => `${n} ${count}`).join(', ');
  const lc = report.leaderChanges;
  console.log(`cluster                   ${report.clusterSize} nodes, streams and consumers replicated ${Math.min(3, report.clusterSize)} times`);
  const led = (group: string) => report.nodeKills.filter((k) => k.led.includes(group)).length;
  console.log(`node kills                ${report.nodeKills.length}: aimed at the EVENTS leader ${aimed('leader:EVENTS')}, the meta leader ${aimed('leader:meta')}, the COMMANDS leader ${aimed('leader:COMMANDS')}, a node by name ${report.nodeKills.filter((k) => k.target.startsWith('node:')).length}`);
  console.log(`                          killed ${byNode || 'none'}; the killed node led meta ${led('meta')}, EVENTS ${led('EVENTS')}, COMMANDS ${led('COMMANDS')}, DLQ ${led('DLQ')} times`);
  console.log(`leader changes            meta ${lc.meta}, streams ${Object.entries(lc.streams).map(([s, n]) => `${s} ${n}`).join(', ')}, consumers ${lc.consumers} (elections)`);
}
const c = report.coverage;
console.log(`protocol paths            cancelled ${Object.entries(c.cancelled).map(([r, n]) => `${r} ${n}`).join(', ') || 'none'}; late charges refunded ${c.lateChargesRefunded}`);
console.log(`                          kept holds (release delay ${report.releaseDelayMs} ms) taken by re-orders ${c.keptHoldsTaken}, split between re-orders ${c.keptHoldsSplit}, rest released ${c.keptHoldsRestReleased}`);
console.log(`                          refunds asked ${report.refundsRequested.confirmed} (${report.refundsRequested.twice} twice, ${report.refundsRequested.cancelled} of cancelled orders), refunded ${c.refunded}, rejected ${c.refundsRejected}`);
console.log(
  `extra deliveries          ${
    report.extraDeliveries >= 0
      ? `${report.extraDeliveries} (redeliveries after kills, pauses, lost acks; re-sent copies)`
      : 'unknown (a SIGKILLed nats-server lost part of its consumers\' delivery counts, which it writes lazily)'
  }`,
);
console.log(`duplicates dropped        broker ${report.duplicatesDroppedByBroker}, inboxes ${report.duplicatesDroppedByInboxes}`);
console.log(`broker phantom acks       ${Object.entries(report.brokerPhantomAcks).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'} (deliveries nats-server lists as unacked for messages it already removed: its state after a SIGKILL)`);
console.log(`dead letters              ${report.deadLetters.length}${report.deadLetters.map((d) => `\n  ${d.consumer} ${d.reason} ${d.subject}`).join('')}`);
console.log(`not terminal              ${report.notTerminal.length}${report.notTerminal.slice(0, 20).map((id) => `\n  npx jetsaga trace ${id}`).join('')}`);
console.log(`never created             ${report.missing.length}${report.missing.slice(0, 20).map((id) => `\n  npx jetsaga trace ${id}`).join('')}`);
const traceLine = (v: string) => {
  const id = /(?:order|transfer) (\S+?):/.exec(v)?.[1];
  return id ? `\n    npx jetsaga trace ${id}` : '';
};
console.log(`invariant violations      ${report.violations.length}${report.violations.map((v) => `\n  ${v}${traceLine(v)}`).join('')}`);
console.log(`elapsed                   ${(report.elapsedMs / 1000).toFixed(1)} s`);
if (values.json) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(values.json, JSON.stringify(report, null, 2));
}
const failed = report.violations.length + report.notTerminal.length + report.missing.length + report.deadLetters.length > 0;
console.log(failed ? 'FAILED' : 'OK: every saga terminal, every invariant holds, no dead letters');
process.exit(failed ? 1 : 0);
