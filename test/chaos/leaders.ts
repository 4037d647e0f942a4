import type { JetStreamManager } from 'nats';
import { STREAMS } from '@jetsaga/messaging/ops';
import type { NatsCluster } from '@jetsaga/stack';

/** Leader changes seen during a chaos run, by RAFT group. */
export interface LeaderChanges {
  /** The JetStream meta group (stream and consumer placement), from jsz. */
  meta: number;
  /** Each stream's group (EVENTS, COMMANDS, DLQ), from stream info. */
  streams: Record<string, number>;
  /** Every durable consumer's group, from consumer info, summed. */
  consumers: number;
}

/**
 * Polls the leaders of the meta group, of each stream and of each durable consumer (every half
 * second, consumers every other round) until `stop()`, counting each time a group's leader is
 * another node than the last one seen. A group between leaders (an election) is skipped, so a
 * leader that loses its place and wins it back unseen counts nothing. On a single server
 * there are no leaders: nothing is polled.
 */
export function watchLeaders(jsm: JetStreamManager, cluster: NatsCluster | null): { stop(): Promise<LeaderChanges> } {
  const changes: LeaderChanges = { meta: 0, streams: Object.fromEntries(Object.values(STREAMS).map((s) => [s, 0])), consumers: 0 };
  if (!cluster) return { stop: async () => changes };
  const last = new Map<string, string>();
  const seen = (group: string, leader: string | undefined): boolean => {
    if (!leader) return false;
    const before = last.get(group);
    last.set(group, leader);
    return before !== undefined && before !== leader;
  };
  let stopped = false;
  const loop = (async () => {
    for (let round = 0; !stopped; round++) {
      if (seen('meta', await cluster.metaLeader())) changes.meta++;
      for (const stream of Object.values(STREAMS)) {
        const info = await jsm.streams.info(stream).catch(() => undefined);
        if (seen(`stream ${stream}`, info?.cluster?.leader)) changes.streams[stream] = (changes.streams[stream] ?? 0) + 1;
      }
      if (round % 2 === 0) {
        for (const stream of [STREAMS.events, STREAMS.commands]) {
          try {
            for await (const c of jsm.consumers.list(stream)) if (c.config.durable_name && seen(`consumer ${c.name}`, c.cluster?.leader)) changes.consumers++;
          } catch {
            // no answer during an election: next round
          }
        }
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return changes;
    },
  };
}
