import { KitError } from '../errors.js';
import type { Logger } from '../observe/logger.js';

/**
 * Retries `work` until it succeeds or `deadline` passes: what a service does at start while
 * the broker is still (re)starting (JetStream API timeouts, "no responders"). A permanent
 * KitError (a wrong setting, a consumer that must be deleted by hand) is thrown at once.
 */
export async function retryUntil<T>(what: string, work: () => Promise<T>, deadline: number, log: Logger): Promise<T> {
  let delay = 100;
  for (;;) {
    try {
      return await work();
    } catch (err) {
      const permanent = err instanceof KitError && err.permanent;
      if (permanent || Date.now() + delay > deadline) throw err;
      log.warn({ err, retryInMs: delay }, `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }
}
