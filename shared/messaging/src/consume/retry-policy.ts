/** Exponential backoff with jitter, computed from the delivery count (1 = first delivery). */
export interface RetryPolicy {
  /** Deliveries before the message is dead-lettered (default 5). */
  maxDeliver: number;
  baseMs: number;
  factor: number;
  capMs: number;
  /** 0..1: the delay is spread uniformly over ±jitter of its value. */
  jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxDeliver: 5, baseMs: 200, factor: 2, capMs: 30_000, jitter: 0.2 };

/** The delay before delivery `deliveryCount + 1`. `random` is injectable for tests. */
export function retryDelayMs(policy: RetryPolicy, deliveryCount: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, deliveryCount - 1);
  const raw = Math.min(policy.capMs, policy.baseMs * policy.factor ** exponent);
  const spread = raw * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(raw + spread));
}

/** Whether a failed delivery still gets another try. */
export function shouldRetry(policy: RetryPolicy, deliveryCount: number): boolean {
  return deliveryCount < policy.maxDeliver;
}
