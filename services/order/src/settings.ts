import { intFromEnv } from '@jetsaga/messaging';

export interface OrderSettings {
  /** A saga still PENDING this long after PlaceOrder is cancelled with reason `timeout`. */
  deadlineMs: number;
}

export function orderSettings(env: NodeJS.ProcessEnv): OrderSettings {
  return { deadlineMs: intFromEnv('ORDER_DEADLINE_MS', 30_000, 1, env) };
}
