import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NatsServer } from './nats-server.js';
import { allServices } from './paths.js';
import { ServiceProcess } from './service-process.js';

export interface StackOptions {
  dataDir: string;
  /** Use this server instead of starting one. */
  natsUrl?: string;
  services?: readonly string[];
  /** Extra environment for every service (LOG_LEVEL, SQLITE_SYNCHRONOUS, ...). */
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
  ) {}

  static async start(options: StackOptions): Promise<Stack> {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const nats = options.natsUrl ? null : await NatsServer.start({ storeDir: join(dataDir, 'nats') });
    const natsUrl = options.natsUrl ?? nats!.url;
    const services = new Map<string, ServiceProcess>();
    const metricsBase = Number(options.env?.METRICS_BASE_PORT ?? process.env.METRICS_BASE_PORT ?? 0);
    for (const service of options.services ?? allServices) {
      // METRICS_BASE_PORT=9101: order 9101, inventory 9102, ... in the order of allServices.
      const metricsPort = metricsBase > 0 ? { METRICS_PORT: String(metricsBase + allServices.indexOf(service as never)) } : {};
      const env = { ...process.env, ...options.env, ...metricsPort, ...options.serviceEnv?.[service], NATS_URL: natsUrl, JETSAGA_DATA_DIR: dataDir };
      services.set(service, new ServiceProcess({ service, env, onLine: options.onLine }));
    }
    const stack = new Stack(dataDir, natsUrl, nats, services);
    try {
      await Promise.all([...services.values()].map((s) => s.start()));
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  service(name: string): ServiceProcess {
    const s = this.services.get(name);
    if (!s) throw new Error(`no service "${name}" in this stack`);
    return s;
  }

  dbPath(service: string): string {
    return join(this.dataDir, `${service}.db`);
  }

  /** Stops the services gracefully, then the nats-server this stack started. */
  async stop(): Promise<void> {
    await Promise.all([...this.services.values()].map((s) => s.stop()));
    await this.nats?.stop();
  }
}
