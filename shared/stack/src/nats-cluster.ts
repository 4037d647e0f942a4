import { join } from 'node:path';
import type { StackAuth } from './auth/stack-auth.js';
import { freePort } from './free-port.js';
import { NatsServer } from './nats-server.js';

/**
 * A JetStream cluster of `size` nats-server nodes on 127.0.0.1, each with its own port, route
 * port and store (`<storeDir>/n<i>`), routed to each other, with the stack's identities. A
 * node can be killed and started again on its store, as a real node failure and recovery.
 */
export class NatsCluster {
  private constructor(readonly nodes: NatsServer[]) {}

  static async start(options: { size: number; storeDir: string; auth: StackAuth; name?: string }): Promise<NatsCluster> {
    const ports = await Promise.all(Array.from({ length: options.size }, async () => ({ client: await freePort(), route: await freePort() })));
    const routes = ports.map((p) => `nats-route://127.0.0.1:${p.route}`);
    // Every node at once: JetStream answers only when a quorum of them is up.
    const nodes = await Promise.all(
      ports.map((p, i) => {
        const storeDir = join(options.storeDir, `n${i + 1}`);
        const cluster = { name: options.name ?? 'jetsaga', listen: `127.0.0.1:${p.route}`, routes, serverName: `n${i + 1}` };
        return NatsServer.start({ storeDir, port: p.client, secured: options.auth.secured(storeDir, cluster) });
      }),
    );
    return new NatsCluster(nodes);
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
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
