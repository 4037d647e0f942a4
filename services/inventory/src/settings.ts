import { defineSettings, type SettingsSchema, setting } from '@jetsaga/messaging';

export interface InventorySettings {
  /** Keep a cancelled order's hold this long before releasing it (durable timer); 0 = at once. */
  releaseDelayMs: number;
}

export const inventorySettings: SettingsSchema<InventorySettings> = defineSettings({
  releaseDelayMs: setting.integer('JETSAGA_STOCK_RELEASE_DELAY_MS', {
    default: 0,
    min: 0,
    unit: 'ms',
    deprecated: ['STOCK_RELEASE_DELAY_MS'],
    description: "inventory: keep a cancelled order's hold for its customer this long before releasing it (durable timer); a re-order takes from it first",
  }),
});
