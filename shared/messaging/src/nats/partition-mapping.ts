import { partitionOf } from '@jetsaga/events';
import type { NatsConnection } from 'nats';

/** No stream takes this subject (COMMANDS takes only known command types), but the partition mapping of `cmd.*.*.*` applies. */
const PROBE = 'cmd.jetsaga-probe.Mapping';

/**
 * Whether the broker maps subjects to `count` partitions (docs/partitions.md): publishes a few
 * core messages on a probe command subject that no stream stores and reads back the subjects
 * the broker delivered them on. A broker without the mapping (or with another N) would leave a
 * partitioned service with nothing to take, silently. Needs publish and subscribe on
 * `cmd.jetsaga-probe.>` (the admin). Throws saying what the broker does instead.
 */
export async function checkPartitionMapping(nc: NatsConnection, count: number, timeoutMs = 2000): Promise<void> {
  const keys = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'];
  const seen = new Map<string, string>();
  const sub = nc.subscribe(`${PROBE}.>`, { max: keys.length, timeout: timeoutMs });
  const done = (async () => {
    for await (const m of sub) seen.set(m.subject.split('.')[3]!, m.subject);
  })().catch(() => {});
  await nc.flush();
  for (const k of keys) nc.publish(`${PROBE}.${k}`);
  await done;
  const wrong = keys.filter((k) => seen.get(k) !== `${PROBE}.${k}.${partitionOf(k, count)}`);
  if (wrong.length === 0) return;
  const got = seen.get(wrong[0]!);
  const what = got === undefined ? 'nothing came back' : got === `${PROBE}.${wrong[0]}` ? 'subjects are not mapped' : `${PROBE}.${wrong[0]} became ${got}`;
  throw new Error(`the broker does not map subjects to ${count} partitions (${what}): give it the mapping of \`jetsaga infra nats-config --partitions ${count}\` and reload it; a partition would otherwise take nothing`);
}
