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
  private immediate: NodeJS.Immediate | null = null;
  /** A round is already due at once: further wakes add nothing. */
  private dueNow = false;
  private running: Promise<void> | null = null;
  private again = false;
  private stoppedFlag = true;

  constructor(
    /** `polled`: the round is the poll's (nothing woke the loop since the last one). */
    private readonly work: (polled: boolean) => Promise<void>,
    private readonly options: WakeLoopOptions,
  ) {}

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  start(): void {
    this.stoppedFlag = false;
    this.schedule(0);
  }

  /**
   * Asks for a round now (next turn; with `now`, in this one); coalesces with one already
   * running.
   */
  wake(options: { now?: boolean } = {}): void {
    if (this.stoppedFlag) return;
    if (this.running) this.again = true;
    else if (options.now) {
      this.cancelScheduled();
      void this.run();
    } else if (!this.dueNow) this.schedule(0);
  }

  /** No more rounds; resolves once the round in progress, if any, has ended. */
  async stop(): Promise<void> {
    this.stoppedFlag = true;
    this.cancelScheduled();
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.cancelScheduled();
    // setTimeout(0) waits at least 1 ms: a wake runs in the next turn instead.
    if (delayMs === 0) {
      this.dueNow = true;
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.dueNow = false;
        void this.run();
      });
    } else {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.run(true);
      }, delayMs);
    }
  }

  private cancelScheduled(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.dueNow = false;
  }

  private async run(polled = false): Promise<void> {
    if (this.running || this.stoppedFlag) return;
    let failed = false;
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.work(polled);
          polled = false;
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
