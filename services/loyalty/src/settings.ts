import { intFromEnv } from '@jetsaga/messaging';

export const loyaltySettings = {
  /** Points per whole currency unit (100 minor units) paid. */
  pointsPerUnit: intFromEnv('LOYALTY_POINTS_PER_UNIT', 1, 0),
};
