export type KitErrorCode =
  /** A setting or a service definition is wrong: fix it and restart. */
  | 'config'
  /** A durable consumer on the broker differs in what cannot be updated (its filter). */
  | 'consumer_mismatch'
  /** A stream on the broker differs in what cannot be updated (retention, storage). */
  | 'stream_mismatch'
  /** A stream is missing or lacks subjects, and this identity may not fix it: an admin must run `jetsaga provision`. */
  | 'provision_pending'
  /** An input contradicts the receiver's own records (a bug or an attack): dead-lettered at once. */
  | 'fact_mismatch'
  /** Another process writes this service db (one writer per db): stop it first. */
  | 'db_locked'
  | 'nats_unreachable'
  | 'provision_failed'
  | 'publish_failed'
  | 'shutdown_timeout';

/** Codes no retry can mend: a starting service gives up on them at once. */
const permanentCodes: ReadonlySet<KitErrorCode> = new Set(['config', 'consumer_mismatch', 'stream_mismatch', 'db_locked']);

/** The kit's one error class: a code to branch on, a message for people, the cause kept. */
export class KitError extends Error {
  constructor(
    readonly code: KitErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KitError';
  }

  get permanent(): boolean {
    return permanentCodes.has(this.code);
  }

  /** A message that failed with this error is dead-lettered at once: no retry can change the outcome. */
  get deadLetterAtOnce(): boolean {
    return this.code === 'fact_mismatch';
  }
}
