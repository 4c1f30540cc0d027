import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../../../platform/config/index.js';
import { HandledKeys } from '../../../../platform/handled-keys/index.js';
import type { PurchaseCompleted } from '../../kernel/purchase-completed.event.js';
import { LoyaltyBalance } from './loyalty-balance.entity.js';
import { type LoyaltyPointsConfig, loyaltyPointsConfig } from './loyalty-points.config.js';
import { loyaltyPointsPipeline } from './loyalty-points.pipeline.js';

/** Credits a purchase's points to its card. */
@Injectable()
export class LoyaltyLedger {
  constructor(
    private readonly handledKeys: HandledKeys,
    @InjectConfig(loyaltyPointsConfig) private readonly config: LoyaltyPointsConfig,
  ) {}

  /**
   * Once per purchase, keyed by its id: the bus may deliver an event again, and the purchase
   * outbox republishes a purchase under a new event id, so the event id would credit twice.
   * Resolves with whether this call credited.
   */
  credit(purchase: PurchaseCompleted): Promise<boolean> {
    const points = Math.floor((purchase.amount * this.config.pointsPerEuro) / 100);
    return this.handledKeys.once(
      loyaltyPointsPipeline.name,
      purchase.purchaseId,
      async (manager) => {
        const card = { cardToken: purchase.cardToken };
        const { affected } = await manager.increment(LoyaltyBalance, card, 'points', points);
        // A card's first purchase: two at once both insert, one fails on the key and the bus
        // delivers it again, when the row is there.
        if (!affected) await manager.insert(LoyaltyBalance, { ...card, points });
      },
    );
  }
}
