export interface WakeLoopOptions {
  /** Sleep between rounds when nothing wakes the loop. */
  pollMs: number;
  /** Sleep after a round that threw (default: pollMs). */
  retryMs?: number;
  onError(err: unknown): void;
}

/**
 * Runs `work` one round at a time: now when woken (a wake during a round asks for another),
 * else every `pollMs`, or `retryMs` after a failed round. The relay and background workers
 * share it.
 */
export class WakeLoop {
  private timer: NodeJS.Timeout | null = null;
  /** A round is already due at once: further wakes add nothing. */
  private dueNow = false;
  private running: Promise<void> | null = null;
  private again = false;
  private stoppedFlag = true;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly options: WakeLoopOptions,
  ) {}

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  start(): void {
    this.stoppedFlag = false;
    this.schedule(0);
  }

  /** Asks for a round now; coalesces with one already running. */
  wake(): void {
    if (this.stoppedFlag) return;
    if (this.running) this.again = true;
    else if (!this.dueNow) this.schedule(0);
  }

  /** No more rounds; resolves once the round in progress, if any, has ended. */
  async stop(): Promise<void> {
    this.stoppedFlag = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dueNow = false;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.dueNow = delayMs === 0;
    this.timer = setTimeout(() => {
      this.dueNow = false;
      void this.run();
    }, delayMs);
  }

  private async run(): Promise<void> {
    if (this.running || this.stoppedFlag) return;
    let failed = false;
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.work();
        } catch (err) {
          failed = true;
          this.options.onError(err);
        }
      } while (this.again && !failed && !this.stoppedFlag);
    })();
    await this.running;
    this.running = null;
    // A wake() between the last round and here set `again`: honour it now.
    if (!this.stoppedFlag) this.schedule(failed ? (this.options.retryMs ?? this.options.pollMs) : this.again ? 0 : this.options.pollMs);
  }
}
