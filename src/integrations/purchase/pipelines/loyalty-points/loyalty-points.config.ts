import { z } from 'zod';
import { type ConfigOf, defineConfig, positiveInt } from '../../../../platform/config/index.js';

/** How many points a purchase earns per whole unit of its currency (a euro: 100 cents). */
export const loyaltyPointsConfig = defineConfig({
  key: 'purchaseFlow.loyaltyPoints',
  schema: z.object({ pointsPerEuro: positiveInt.max(1000) }).strict(),
  defaults: { pointsPerEuro: 1 },
  env: { pointsPerEuro: { name: 'LOYALTY_POINTS_PER_EURO', parse: 'integer' } },
});

export type LoyaltyPointsConfig = ConfigOf<typeof loyaltyPointsConfig>;
