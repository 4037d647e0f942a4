import { defineSettings, type SettingsSchema, setting } from '@jetsaga/messaging';

export interface TransferSettings {
  /** A transfer still PENDING this long after RequestTransfer fails with reason `timeout`. */
  deadlineMs: number;
}

export const transferSettings: SettingsSchema<TransferSettings> = defineSettings({
  deadlineMs: setting.integer('JETSAGA_TRANSFER_DEADLINE_MS', {
    default: 30_000,
    min: 1,
    unit: 'ms',
    description: 'transfer: a transfer still PENDING this long after RequestTransfer fails (`timeout`), and every try is cancelled',
  }),
});
