import { definePipeline } from '../../../../platform/pipeline/index.js';
import { loyaltyPointsConfig } from './loyalty-points.config.js';
import { CreateLoyaltyPoints1764240000000 } from './migrations/1764240000000-create-loyalty-points.js';

/** Subscriber: credits each purchase's points to its card, once. */
export const loyaltyPointsPipeline = definePipeline({
  name: 'loyalty-points',
  role: 'subscriber',
  description: 'Credits the loyalty points a completed purchase earns to its card, once',
  config: [loyaltyPointsConfig],
  migrations: [CreateLoyaltyPoints1764240000000],
});
