/** A small seeded PRNG (mulberry32): the same seed gives the same chaos schedule. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Which node of a cluster a node kill takes down, resolved when it happens: the node leading
 * EVENTS, COMMANDS or the JetStream meta group (placement of streams and consumers), or the
 * i-th node, whatever it leads.
 */
export type NodeTarget = 'leader:EVENTS' | 'leader:COMMANDS' | 'leader:meta' | `node:${number}`;

export type ChaosAction =
  | { kind: 'kill'; service: string; downMs: number }
  | { kind: 'pause'; service: string; pausedMs: number }
  | { kind: 'broker'; downMs: number }
  | { kind: 'node'; target: NodeTarget; downMs: number };

export interface ScheduleOptions {
  seed: number;
  durationMs: number;
  everyMs: number;
  services: readonly string[];
  /** A pause lasts longer than this (the consumers' ack wait), so deliveries time out. */
  ackWaitMs: number;
  /** Chance of a broker restart at each step (0 disables them, e.g. with NATS_URL). */
  brokerChance: number;
  /** Chance of a cluster node's SIGKILL and restart at each step (0 without a cluster). */
  nodeChance?: number;
  /** Nodes in the cluster (`node:<i>` targets). */
  clusterSize?: number;
}

/** Node kills aim, in turn, at these leaders and then at a node drawn by the seed, whatever it leads. */
const leaderTargets: NodeTarget[] = ['leader:EVENTS', 'leader:meta', 'leader:COMMANDS'];

/** The whole schedule of chaos, decided up front from the seed: `at` is ms after the start. */
export function chaosSchedule(o: ScheduleOptions): { at: number; action: ChaosAction }[] {
  const random = seededRandom(o.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const steps: { at: number; action: ChaosAction }[] = [];
  // Without a cluster, the same draws as before node kills existed: a seed keeps its schedule.
  const nodeChance = o.nodeChance ?? 0;
  let nodeKills = 0;
  const nodeTarget = (): NodeTarget => {
    const turn = nodeKills++ % (leaderTargets.length + 1);
    return leaderTargets[turn] ?? `node:${1 + Math.floor(random() * (o.clusterSize ?? 1))}`;
  };
  for (let at = o.everyMs; at < o.durationMs; at += o.everyMs) {
    const roll = random();
    const action: ChaosAction =
      roll < o.brokerChance
        ? { kind: 'broker', downMs: 200 + Math.floor(random() * 800) }
        : roll < o.brokerChance + nodeChance
          ? { kind: 'node', target: nodeTarget(), downMs: 200 + Math.floor(random() * 1800) }
          : roll < o.brokerChance + nodeChance + (1 - o.brokerChance - nodeChance) * 0.25
            ? { kind: 'pause', service: pick(o.services), pausedMs: o.ackWaitMs + 500 + Math.floor(random() * 1000) }
            : { kind: 'kill', service: pick(o.services), downMs: 100 + Math.floor(random() * 1400) };
    steps.push({ at, action });
  }
  return steps;
}
