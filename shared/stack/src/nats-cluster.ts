import { join } from 'node:path';
import type { StackAuth } from './auth/stack-auth.js';
import { freePort } from './free-port.js';
import { NatsServer } from './nats-server.js';
import { waitFor } from './wait.js';

/** What the stack reads of a node's `/jsz`. */
interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number; replicas?: { name: string; current: boolean }[] };
}

/**
 * A JetStream cluster of `size` nats-server nodes on 127.0.0.1, each with its own port, route
 * port, monitoring port and store (`<storeDir>/n<i>`), routed to each other, with the stack's
 * identities. A node can be killed and started again on its store, as a real node failure and
 * recovery.
 */
export class NatsCluster {
  private constructor(
    readonly nodes: NatsServer[],
    /** Each node's monitoring port (`/jsz`, `/varz` on 127.0.0.1), in the order of `nodes`. */
    readonly httpPorts: number[],
  ) {}

  static async start(options: { size: number; storeDir: string; auth: StackAuth; name?: string }): Promise<NatsCluster> {
    const ports = await Promise.all(Array.from({ length: options.size }, async () => ({ client: await freePort(), route: await freePort(), http: await freePort() })));
    const routes = ports.map((p) => `nats-route://127.0.0.1:${p.route}`);
    // Every node at once: JetStream answers only when a quorum of them is up.
    const nodes = await Promise.all(
      ports.map((p, i) => {
        const storeDir = join(options.storeDir, `n${i + 1}`);
        const cluster = { name: options.name ?? 'jetsaga', listen: `127.0.0.1:${p.route}`, routes, serverName: `n${i + 1}`, httpPort: p.http };
        return NatsServer.start({ storeDir, port: p.client, secured: options.auth.secured(storeDir, cluster) });
      }),
    );
    const cluster = new NatsCluster(
      nodes,
      ports.map((p) => p.http),
    );
    try {
      await cluster.formed();
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /**
   * Waits until the JetStream meta group is whole: every node names the same leader, and the
   * leader counts every other node as a current peer. Each node answers JetStream as soon as it
   * has a meta leader; before the group is whole, a stream replicated on every node cannot be
   * placed yet (`no suitable peers for placement`).
   */
  async formed(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const views = await Promise.all(this.httpPorts.map((port) => this.jsz(port)));
        const leader = views[0]?.meta_cluster?.leader;
        if (!leader || views.some((v) => v?.meta_cluster?.leader !== leader)) return undefined;
        const peers = views[this.names.indexOf(leader)]?.meta_cluster?.replicas ?? [];
        return peers.length === this.nodes.length - 1 && peers.every((p) => p.current);
      },
      { timeoutMs, intervalMs: 100, what: `the JetStream meta group of ${this.nodes.length} nodes` },
    );
  }

  private async jsz(port: number | undefined): Promise<Jsz | undefined> {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/jsz`, { signal: AbortSignal.timeout(2000) });
      return (await res.json()) as Jsz;
    } catch {
      return undefined; // starting or stopping
    }
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  /** The nodes' server names: n1, n2, ... */
  get names(): string[] {
    return this.nodes.map((_, i) => `n${i + 1}`);
  }

  /** Whether the node's process runs (it may still be catching up). */
  isUp(serverName: string): boolean {
    return this.node(serverName).pid !== undefined;
  }

  /**
   * The JetStream meta leader (the node that places streams and consumers), as a running node's
   * `/jsz` says (`meta_cluster.leader`); undefined while it is being elected or no node answers.
   */
  async metaLeader(): Promise<string | undefined> {
    for (const [i, name] of this.names.entries()) {
      if (!this.isUp(name)) continue;
      const leader = (await this.jsz(this.httpPorts[i]))?.meta_cluster?.leader;
      if (leader) return leader;
    }
    return undefined;
  }

  node(serverName: string): NatsServer {
    const i = Number(serverName.replace(/^n/, '')) - 1;
    const node = this.nodes[i];
    if (!node) throw new Error(`no node ${serverName} in this cluster`);
    return node;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
