import { intFromEnv } from '@jetsaga/messaging';

export interface LoyaltySettings {
  /** Points per whole currency unit (100 minor units) paid. */
  pointsPerUnit: number;
}

export function loyaltySettings(env: NodeJS.ProcessEnv): LoyaltySettings {
  return { pointsPerUnit: intFromEnv('LOYALTY_POINTS_PER_UNIT', 1, 0, env) };
}
