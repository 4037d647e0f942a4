import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { buildService } from './build-service.js';
import { serviceEntry, tsxLoader } from './paths.js';
import { nodeArgsSetting, stackSettings } from './settings.js';

/**
 * V8's young generation at 8 MB semi-spaces instead of 16: peak RSS under load about 10-15 MB
 * lower per service, for more frequent (cheap) scavenges. The old generation grown by 30% of
 * what lives in it rather than V8's default (up to 4x): peak RSS with 50 sagas in flight 104-117
 * MB instead of 112-149, at the same throughput (docs/performance.md).
 */
const defaultNodeArgs = ['--max-semi-space-size=8', '--heap-growing-percent=30'];

/** The node flags of a service process: the defaults above, then JETSAGA_NODE_ARGS (which can override them). */
export function serviceNodeArgs(env: NodeJS.ProcessEnv): string[] {
  return [...defaultNodeArgs, ...nodeArgsSetting.parse(env)];
}

export interface ServiceProcessOptions {
  service: string;
  env: NodeJS.ProcessEnv;
  /** Every line the process writes (pino JSON on stdout, anything on stderr). */
  onLine?: (service: string, line: string, stream: 'stdout' | 'stderr') => void;
  readyTimeoutMs?: number;
}

/**
 * One service as its own OS process: `node <bundle>` (see buildService), or with
 * JETSAGA_RUN_TS=1 `node --import tsx services/<name>/src/main.ts`.
 * `start()` resolves once the service says it is ready over IPC; it can be stopped
 * (SIGTERM, graceful), killed (SIGKILL), paused, and started again.
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<number | null> = Promise.resolve(null);
  private readonly recent: string[] = [];
  /** Built once: a restart runs the same code, whatever changed in the sources meanwhile (rebuilt only if the file is gone). */
  private bundlePath: Promise<string> | null = null;

  constructor(readonly options: ServiceProcessOptions) {}

  private async bundle(): Promise<string> {
    const cached = this.bundlePath && (await this.bundlePath.catch(() => null));
    if (cached && existsSync(cached)) return cached;
    this.bundlePath = buildService(this.name);
    this.bundlePath.catch(() => (this.bundlePath = null));
    return this.bundlePath;
  }

  get name(): string {
    return this.options.service;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    // JETSAGA_NODE_ARGS: extra node flags for the service, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS).
    const { runTs } = stackSettings.parse(this.options.env ?? {});
    const program = runTs ? ['--import', tsxLoader, serviceEntry(this.name)] : [await this.bundle()];
    const child = spawn(process.execPath, [...serviceNodeArgs(this.options.env ?? {}), ...program], {
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group: a terminal's Ctrl-C reaches only the runner, which stops the
      // services first and the broker last. A service whose runner dies stops on IPC disconnect.
      detached: true,
    });
    this.child = child;
    this.exitPromise = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.pipe(child, 'stdout');
    this.pipe(child, 'stderr');
    await this.waitReady(child);
  }

  /** Graceful stop: SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return null;
    this.child!.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const code = await this.exitPromise;
    clearTimeout(timer);
    return code;
  }

  /** Sends a signal without waiting (SIGKILL and SIGSTOP/SIGCONT for chaos). */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exitPromise;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private waitReady(child: ChildProcess): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`${this.name} not ready after ${this.options.readyTimeoutMs ?? 90_000} ms`)), this.options.readyTimeoutMs ?? 90_000);
      const onMessage = (m: unknown) => {
        if ((m as { type?: string })?.type !== 'ready') return;
        cleanup();
        resolve();
      };
      const onExit = (code: number | null) => fail(new Error(`${this.name} exited with ${code} before it was ready:\n${this.recent.join('\n')}`));
      const fail = (err: Error) => {
        cleanup();
        child.kill('SIGKILL');
        reject(err);
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  private pipe(child: ChildProcess, stream: 'stdout' | 'stderr'): void {
    const lines = createInterface({ input: child[stream]! });
    lines.on('line', (line) => {
      this.recent.push(line);
      if (this.recent.length > 40) this.recent.shift();
      this.options.onLine?.(this.name, line, stream);
    });
  }
}
