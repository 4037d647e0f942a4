import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { connect, type ConnectionOptions } from 'nats';
import { freePort } from './free-port.js';
import { waitFor } from './wait.js';

export class NatsServerNotFound extends Error {
  constructor() {
    super(
      'nats-server not found (looked at $NATS_SERVER_BIN, on PATH and at /usr/sbin/nats-server).\n' +
        'Install it (Debian/Ubuntu: `apt-get install nats-server`), or run one with Docker\n' +
        '(`docker compose -f infra/compose.yaml up -d nats`) and set NATS_URL=nats://127.0.0.1:4222.',
    );
    this.name = 'NatsServerNotFound';
  }
}

/** The nats-server binary: $NATS_SERVER_BIN, then PATH, then /usr/sbin. */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env, fallbacks = ['/usr/sbin/nats-server']): string {
  const candidates = [
    env.NATS_SERVER_BIN,
    ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'nats-server')),
    ...fallbacks,
  ].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new NatsServerNotFound();
}

export interface NatsServerOptions {
  storeDir: string;
  port?: number;
  bin?: string;
  /**
   * Run with a generated config (users, permissions) instead of open flags: the text for a
   * port, written beside the store, and how the readiness probe authenticates.
   */
  secured?: { config(port: number): string; probe: ConnectionOptions };
}

/**
 * A nats-server child with JetStream, on 127.0.0.1 and a free port, its store in `storeDir`.
 * `kill()` then `start()` restarts it on the same port and store (a broker restart).
 */
export class NatsServer {
  private child: ChildProcess | null = null;
  private constructor(
    readonly bin: string,
    readonly port: number,
    readonly storeDir: string,
    private readonly secured: NatsServerOptions['secured'],
  ) {}

  static async start(options: NatsServerOptions): Promise<NatsServer> {
    const server = new NatsServer(options.bin ?? findNatsServer(), options.port ?? (await freePort()), options.storeDir, options.secured);
    await server.start();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    mkdirSync(this.storeDir, { recursive: true });
    const child = spawn(this.bin, this.args(), {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // see ServiceProcess: the runner decides when the broker stops
    });
    this.child = child;
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(
      async () => {
        if (exited) throw new Error(`nats-server exited: ${stderr.trim()}`);
        const nc = await connect({ ...this.secured?.probe, servers: this.url, reconnect: false });
        try {
          await (await nc.jetstreamManager()).getAccountInfo();
          return true;
        } finally {
          await nc.close();
        }
      },
      { timeoutMs: 15_000, intervalMs: 50, what: `nats-server on port ${this.port}` },
    );
  }

  /** The config file of a secured server (regenerated at each start). */
  get configFile(): string {
    return join(this.storeDir, 'nats-server.conf');
  }

  private args(): string[] {
    if (!this.secured) return ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir];
    writeFileSync(this.configFile, this.secured.config(this.port), { mode: 0o600 });
    return ['-c', this.configFile];
  }

  /** Sends `signal` and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }
}
