import { defineSettings, type SettingsSchema, setting } from '@jetsaga/messaging';

export interface OrderSettings {
  /** A saga still PENDING this long after PlaceOrder is cancelled with reason `timeout`. */
  deadlineMs: number;
}

export const orderSettings: SettingsSchema<OrderSettings> = defineSettings({
  deadlineMs: setting.integer('JETSAGA_ORDER_DEADLINE_MS', {
    default: 30_000,
    min: 1,
    unit: 'ms',
    deprecated: ['ORDER_DEADLINE_MS'],
    description: 'order: a saga still PENDING this long after PlaceOrder is cancelled (`timeout`)',
  }),
});
