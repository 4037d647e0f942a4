import { defineSettings, instanceIdSetting, KitError, type SettingsSchema } from '@jetsaga/messaging';

export interface BankSettings {
  /** This instance's id: `a` for bank-a. */
  bankId: string;
}

/**
 * Bank `bankId`'s settings: its id, which main.ts read from JETSAGA_BANK_ID to name the service
 * (`bank-<id>`) before anything else. Described here too, so the README's table lists it; a
 * JETSAGA_BANK_ID naming another bank than the definition's is refused.
 */
export function bankSettings(bankId: string): SettingsSchema<BankSettings> {
  return defineSettings({ id: instanceIdSetting('bank') }, ({ id }) => {
    if (id !== undefined && id !== bankId) throw new KitError('config', `JETSAGA_BANK_ID is "${id}", but this is bank-${bankId}`);
    return { bankId };
  });
}
