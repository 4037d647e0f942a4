export type KitErrorCode =
  | 'config'
  | 'nats_unreachable'
  | 'provision_failed'
  | 'publish_failed'
  | 'shutdown_timeout';

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
}
