import { KitError } from '../errors.js';
import type { Logger } from '../observe/logger.js';

export interface RetryOptions {
  /**
   * Errors someone else must mend (an admin who has not provisioned the streams yet): retried
   * with no deadline, at most every `waitMaxDelayMs`, each logged with what is awaited.
   */
  waitWhile?: (err: unknown) => boolean;
  waitMaxDelayMs?: number;
}

/**
 * Retries `work` until it succeeds or `deadline` passes: what a service does at start while
 * the broker is still (re)starting (JetStream API timeouts, "no responders"). A permanent
 * KitError (a wrong setting, a consumer that must be deleted by hand) is thrown at once.
 */
export async function retryUntil<T>(what: string, work: () => Promise<T>, deadline: number, log: Logger, options: RetryOptions = {}): Promise<T> {
  let delay = 100;
  for (;;) {
    try {
      return await work();
    } catch (err) {
      const permanent = err instanceof KitError && err.permanent;
      const waiting = !permanent && (options.waitWhile?.(err) ?? false);
      if (permanent || (!waiting && Date.now() + delay > deadline)) throw err;
      log.warn({ err, retryInMs: delay }, waiting ? `${what}: waiting (${(err as Error).message})` : `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, waiting ? (options.waitMaxDelayMs ?? 5000) : 2000);
    }
  }
}
