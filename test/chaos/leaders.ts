import type { NatsConnection } from 'nats';
import { STREAMS } from '@jetsaga/messaging/ops';
import type { NatsCluster } from '@jetsaga/stack';

/** Leader changes during a chaos run, by RAFT group. */
export interface LeaderChanges {
  /** The JetStream meta group (placement of streams and consumers): a new leader seen in jsz. */
  meta: number;
  /** Each stream's group (EVENTS, COMMANDS, DLQ): leaders elected. */
  streams: Record<string, number>;
  /** Every durable consumer's group, summed: leaders elected. */
  consumers: number;
}

const STREAM_ELECTED = '$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED';
const CONSUMER_ELECTED = '$JS.EVENT.ADVISORY.CONSUMER.LEADER_ELECTED';

/**
 * Counts leader changes until `stop()`. Streams and consumers: nats-server publishes an advisory
 * in the account each time one of their groups elects a leader
 * (`$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.<stream>`, `...CONSUMER.LEADER_ELECTED.<stream>.<consumer>`),
 * counted as they come (`nc` must see them: the admin). The meta group has no such advisory in
 * the account: a running node's jsz is read every quarter second, and a leader other than the
 * last one seen counts (an election in between that kept the same node counts nothing). On a
 * single server there are no leaders: nothing is counted.
 */
export function watchLeaders(nc: NatsConnection, cluster: NatsCluster | null): { stop(): Promise<LeaderChanges> } {
  const changes: LeaderChanges = { meta: 0, streams: Object.fromEntries(Object.values(STREAMS).map((s) => [s, 0])), consumers: 0 };
  if (!cluster) return { stop: async () => changes };
  const streamSub = nc.subscribe(`${STREAM_ELECTED}.>`, {
    callback: (_err, msg) => {
      const stream = msg.subject.slice(STREAM_ELECTED.length + 1);
      if (stream in changes.streams) changes.streams[stream]!++;
    },
  });
  const consumerSub = nc.subscribe(`${CONSUMER_ELECTED}.>`, {
    callback: (_err, msg) => {
      const stream = msg.subject.slice(CONSUMER_ELECTED.length + 1).split('.')[0]!;
      if (stream in changes.streams) changes.consumers++;
    },
  });
  let stopped = false;
  let last: string | undefined;
  const meta = (async () => {
    while (!stopped) {
      const leader = await cluster.metaLeader();
      if (leader && last && leader !== last) changes.meta++;
      if (leader) last = leader;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await meta;
      streamSub.unsubscribe();
      consumerSub.unsubscribe();
      return changes;
    },
  };
}
