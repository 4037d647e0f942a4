import { intFromEnv } from '@jetsaga/messaging';

export const inventorySettings = {
  /** Keep a cancelled order's hold this long before releasing it (durable timer); 0 = at once. */
  releaseDelayMs: intFromEnv('STOCK_RELEASE_DELAY_MS', 0, 0),
};
