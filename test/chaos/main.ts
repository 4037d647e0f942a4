// npm run chaos -- --orders 5000 --kill-every 2s --duration 120s --seed 42
import { parseArgs } from 'node:util';
import { runChaos } from './run-chaos.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '2000' },
    duration: { type: 'string', default: '60s' },
    'kill-every': { type: 'string', default: '2s' },
    seed: { type: 'string' },
    clients: { type: 'string', default: '4' },
    'duplicate-ratio': { type: 'string', default: '0.03' },
    'ack-wait': { type: 'string', default: '2s' },
    deadline: { type: 'string', default: '20s' },
    settle: { type: 'string', default: '180s' },
    json: { type: 'string' },
  },
});

function ms(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!m) throw new Error(`"${value}" is not a duration (e.g. 500ms, 2s, 1m)`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 'ms'] ?? 1);
}

const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
console.log(`chaos run, seed ${seed} (rerun with --seed ${seed} for the same schedule of kills)`);
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
  log: (line) => console.log(line),
});

const kinds = (k: string) => report.actions.filter((a) => a.action.kind === k).length;
console.log('\n=== chaos report ===');
console.log(`seed                      ${report.seed}`);
console.log(`orders placed             ${report.ordersPlaced} (+${report.duplicatesSent} sent twice)`);
console.log(`outcomes                  ${Object.entries(report.outcomes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`service kills             ${kinds('kill')}, broker restarts ${kinds('broker')}, pauses past ack wait ${kinds('pause')}`);
console.log(`extra deliveries          ${report.extraDeliveries} (redeliveries after kills, pauses, lost acks; re-sent copies)`);
console.log(`duplicates dropped        broker ${report.duplicatesDroppedByBroker}, inboxes ${report.duplicatesDroppedByInboxes}`);
console.log(`broker phantom acks       ${Object.entries(report.brokerPhantomAcks).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'} (deliveries nats-server lists as unacked for messages it already removed: its state after a SIGKILL)`);
console.log(`dead letters              ${report.deadLetters.length}${report.deadLetters.map((d) => `\n  ${d.consumer} ${d.reason} ${d.subject}`).join('')}`);
console.log(`not terminal              ${report.notTerminal.length}${report.notTerminal.slice(0, 20).map((id) => `\n  npx jetsaga trace ${id}`).join('')}`);
console.log(`never created             ${report.missing.length}${report.missing.slice(0, 20).map((id) => `\n  npx jetsaga trace ${id}`).join('')}`);
const traceLine = (v: string) => {
  const id = /order (\S+?):/.exec(v)?.[1];
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
