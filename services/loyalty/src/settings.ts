import { defineSettings, type SettingsSchema, setting } from '@jetsaga/messaging';

export interface LoyaltySettings {
  /** Points per whole currency unit (100 minor units) paid. */
  pointsPerUnit: number;
  /** Points a newly registered customer gets, once. */
  welcomePoints: number;
}

export const loyaltySettings: SettingsSchema<LoyaltySettings> = defineSettings({
  pointsPerUnit: setting.integer('JETSAGA_LOYALTY_POINTS_PER_UNIT', {
    default: 1,
    min: 0,
    deprecated: ['LOYALTY_POINTS_PER_UNIT'],
    description: 'loyalty: points per whole currency unit (100 minor units) paid',
  }),
  welcomePoints: setting.integer('JETSAGA_WELCOME_POINTS', {
    default: 100,
    min: 0,
    description: 'loyalty: points a newly registered customer gets, once per customer (WelcomePointsAwarded)',
  }),
});
