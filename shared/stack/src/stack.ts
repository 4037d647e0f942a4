import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_PARTITIONS } from '@jetsaga/events';
import { createLogger, deprecationMessage, type NatsAccess, parseServers, streamSettingsFromEnv } from '@jetsaga/messaging/ops';
import { NatsCluster } from './nats-cluster.js';
import { StackAuth } from './auth/stack-auth.js';
import { NatsServer } from './nats-server.js';
import { allServices, instanceEnv } from './paths.js';
import { checkBrokerPartitions, provisionStreams } from './provision.js';
import { serviceDefinition, serviceDefinitions } from './service-definitions.js';
import { ServiceProcess } from './service-process.js';
import { processNames } from './auth/permissions.js';
import { stackSettings } from './settings.js';

export interface StackOptions {
  dataDir: string;
  /** Use this server instead of starting one (as it is: no identities made for it). */
  natsUrl?: string;
  /** Start a JetStream cluster of this many nodes (routes, RAFT) instead of one server; its streams replicated on up to 3 of them (JETSAGA_STREAM_REPLICAS says otherwise). */
  cluster?: number;
  services?: readonly string[];
  /**
   * Run each service that can split as this many processes (`order-p0`, `order-p1`, ...; default
   * JETSAGA_PARTITIONS, else 1), and map the broker's subjects to them. A given `natsUrl` must
   * have that mapping already (`jetsaga infra nats-config --partitions N`).
   */
  partitions?: number;
  /** Extra environment for every service (LOG_LEVEL, JETSAGA_SQLITE_SYNCHRONOUS, ...). */
  env?: NodeJS.ProcessEnv;
  /** Extra environment for one service. */
  serviceEnv?: Record<string, NodeJS.ProcessEnv>;
  onLine?: (service: string, line: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * nats-server (unless `natsUrl` is given) and the services, each a separate process with its
 * own SQLite file under `dataDir`. Used by `jetsaga up|demo`, the tests, chaos and bench.
 */
export class Stack {
  private constructor(
    readonly dataDir: string,
    readonly natsUrl: string,
    readonly nats: NatsServer | null,
    readonly services: Map<string, ServiceProcess>,
    /** The identities of the stack's own (secured) broker; null on a given NATS_URL. */
    readonly auth: StackAuth | null,
    /** The cluster this stack started (`cluster` > 1), else null. */
    readonly cluster: NatsCluster | null = null,
    /** The processes each service runs as: itself, or its partitions (`order-p0`, `order-p1`). */
    readonly processes: ReadonlyMap<string, readonly string[]> = new Map(),
  ) {}

  static async start(options: StackOptions): Promise<Stack> {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const storeDir = join(dataDir, 'nats');
    const names = options.services ?? allServices;
    // An identity for every service it knows, and for each instance it starts that JETSAGA_BANKS
    // of this process does not list (a test's bank-c).
    const definitions = { ...serviceDefinitions };
    for (const name of names) {
      const def = definitions[name] ?? serviceDefinition(name);
      if (!def) throw new Error(`no service "${name}" (one of: ${allServices.join(', ')}, or bank-<id>)`);
      definitions[name] = def;
    }
    const clustered = (options.cluster ?? 1) > 1;
    // On a cluster, the streams are replicated on up to 3 of its nodes unless the env says otherwise.
    const replicas = clustered && process.env.JETSAGA_STREAM_REPLICAS === undefined ? { JETSAGA_STREAM_REPLICAS: String(Math.min(3, options.cluster!)) } : {};
    const ownEnv: NodeJS.ProcessEnv = { ...replicas, ...options.env };
    const { value: own, deprecated } = stackSettings.read({ ...process.env, ...ownEnv });
    const partitions = options.partitions ?? own.partitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) throw new Error(`partitions: ${partitions} is not a number from 1 to ${MAX_PARTITIONS}`);
    const auth = options.natsUrl ? null : new StackAuth(dataDir, Object.values(definitions), partitions);
    const cluster = auth && clustered ? await NatsCluster.start({ size: options.cluster!, storeDir, auth }) : null;
    const nats = auth && !clustered ? await NatsServer.start({ storeDir, secured: auth.secured(storeDir) }) : null;
    // Every node, comma-separated: the clients fail over between them.
    const natsUrl = options.natsUrl ?? (cluster ? cluster.urls.join(',') : nats!.url);
    const admin = auth ? auth.access('admin', parseServers(natsUrl)) : { servers: parseServers(natsUrl) };
    try {
      // The streams exist before any service starts: services may not create them.
      if (auth) {
        // The same stream settings as the services get.
        const env = { ...process.env, ...ownEnv };
        await provisionStreams(admin, streamSettingsFromEnv(env), createLogger('provision', env.LOG_LEVEL ?? 'info'));
      }
      // A broker without the mapping would leave every partition with nothing to take.
      if (partitions > 1) await checkBrokerPartitions(admin, partitions);
    } catch (err) {
      // The broker this stack started must not outlive it (its process would keep ours alive).
      await nats?.stop();
      await cluster?.stop();
      throw err;
    }
    const services = new Map<string, ServiceProcess>();
    for (const d of deprecated) createLogger('stack').warn({ setting: d.old, use: d.name }, deprecationMessage(d));
    const metricsBase = own.metricsBasePort ?? 0;
    const split = new Map<string, string[]>();
    for (const service of names) {
      const processes = processNames(definitions[service]!, partitions);
      split.set(service, processes);
      processes.forEach((name, index) => {
        // JETSAGA_METRICS_BASE_PORT=9101: order 9101, inventory 9102, ... in the order of allServices; partition i of a service 100 i above.
        const metricsPort = metricsBase > 0 ? { JETSAGA_METRICS_PORT: String(metricsBase + allServices.indexOf(service as never) + 100 * index) } : {};
        const partition = processes.length > 1 ? { JETSAGA_PARTITION: `${index}/${processes.length}` } : {};
        const env = { ...process.env, ...ownEnv, ...metricsPort, ...instanceEnv(service), ...partition, ...options.serviceEnv?.[service], NATS_URL: natsUrl, JETSAGA_DATA_DIR: dataDir, ...auth?.env(service) };
        services.set(name, new ServiceProcess({ service: name, env, onLine: options.onLine }));
      });
    }
    const stack = new Stack(dataDir, natsUrl, nats, services, auth, cluster, split);
    try {
      await Promise.all([...services.values()].map((s) => s.start()));
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  /** How `identity` (admin, operator, a service) connects: its nkey on the stack's own broker, nothing on a given one. */
  access(identity: string): NatsAccess {
    const servers = parseServers(this.natsUrl);
    return this.auth ? this.auth.access(identity, servers) : { servers };
  }

  service(name: string): ServiceProcess {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service "${name}" in this stack`);
    return s;
  }

  dbPath(service: string): string {
    return join(this.dataDir, `${service}.db`);
  }

  /** The names a service runs as: itself, or its partitions (`order-p0`, ...); a process's own name gives itself. */
  processNamesOf(service: string): readonly string[] {
    return this.processes.get(service) ?? [service];
  }

  /** The processes a service runs as: itself, or its partitions. */
  processesOf(service: string): ServiceProcess[] {
    return this.processNamesOf(service).map((p) => this.service(p));
  }

  /** Stops the services gracefully, then the nats-server this stack started. */
  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await this.nats?.stop();
    await this.cluster?.stop();
  }
}
