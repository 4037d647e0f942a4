import { join } from 'node:path';
import { partitionMappings } from '@jetsaga/events';
import type { AnyServiceDefinition } from '@jetsaga/messaging';
import { connectionOptions, type NatsAccess } from '@jetsaga/messaging/ops';
import { type Identity, ensureIdentities, identityPermissions } from './identities.js';
import { inboxPrefixOf } from './permissions.js';
import { renderServerConfig, type ServerConfigOptions } from './server-config.js';

/** A node of the stack's cluster: its routes, name, and the monitoring port (on the listen host) the chaos run reads jsz from. */
export type ClusterNode = NonNullable<ServerConfigOptions['cluster']> & { serverName: string; httpPort?: number };

/** Where the stack keeps its identities' nkey seeds: `<data dir>/auth/<identity>.nk`. */
export function authDir(dataDir: string): string {
  return join(dataDir, 'auth');
}

/**
 * The stack's own broker, secured: one nkey per identity under the data dir, a generated
 * server config naming them with their permissions, no anonymous clients.
 */
export class StackAuth {
  readonly identities: Map<string, Identity>;

  constructor(
    readonly dataDir: string,
    services: readonly AnyServiceDefinition[],
    /** Services that can split run as this many partitions: the broker maps subjects to them. */
    readonly partitions = 1,
  ) {
    this.identities = new Map(ensureIdentities(authDir(dataDir), identityPermissions(services, partitions)).map((i) => [i.name, i]));
  }

  /** How `identity` reaches a server of this stack (servers filled in by the caller). */
  access(identity: string, servers: string[]): NatsAccess {
    const id = this.identities.get(identity);
    if (!id) throw new Error(`no identity "${identity}" in this stack`);
    return { servers, nkey: id.seedFile, inboxPrefix: inboxPrefixOf(identity) };
  }

  /** The environment a process of `identity` needs to connect (NATS_NKEY). */
  env(identity: string): NodeJS.ProcessEnv {
    const id = this.identities.get(identity);
    if (!id) throw new Error(`no identity "${identity}" in this stack`);
    return { NATS_NKEY: id.seedFile };
  }

  serverConfig(port: number, storeDir: string, cluster?: ClusterNode): string {
    return renderServerConfig({
      listen: `127.0.0.1:${port}`,
      storeDir,
      ...(cluster ? { serverName: cluster.serverName, cluster: { name: cluster.name, listen: cluster.listen, routes: cluster.routes } } : {}),
      ...(cluster?.httpPort ? { httpPort: cluster.httpPort } : {}),
      users: [...this.identities.values()].map((i) => ({ nkey: i.publicKey, permissions: i.permissions })),
      ...(this.partitions > 1 ? { mappings: partitionMappings(this.partitions) } : {}),
    });
  }

  /** What a secured NatsServer needs: its config (a cluster node's, given its routes), and the admin to probe it with. */
  secured(storeDir: string, cluster?: ClusterNode) {
    return {
      config: (port: number) => this.serverConfig(port, storeDir, cluster),
      probe: connectionOptions(this.access('admin', [])),
    };
  }
}
