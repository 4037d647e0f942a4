import { intFromEnv } from '@jetsaga/messaging';

export const orderSettings = {
  /** A saga still PENDING this long after PlaceOrder is cancelled with reason `timeout`. */
  deadlineMs: intFromEnv('ORDER_DEADLINE_MS', 30_000, 1),
};
