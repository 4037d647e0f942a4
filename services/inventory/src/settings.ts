import { intFromEnv } from '@jetsaga/messaging';

export interface InventorySettings {
  /** Keep a cancelled order's hold this long before releasing it (durable timer); 0 = at once. */
  releaseDelayMs: number;
}

export function inventorySettings(env: NodeJS.ProcessEnv): InventorySettings {
  return { releaseDelayMs: intFromEnv('STOCK_RELEASE_DELAY_MS', 0, 0, env) };
}
