import { Payload } from '@nestjs/microservices';
import { EventTrigger, Triggers } from '../../../../platform/event-bus/index.js';
import { PurchaseCompleted, purchaseCompleted } from '../../kernel/purchase-completed.event.js';
import { LoyaltyLedger } from './loyalty-ledger.js';
import { loyaltyPointsPipeline } from './loyalty-points.pipeline.js';

/** Trigger of `loyalty-points`: every completed purchase. */
@Triggers()
export class LoyaltyPointsTrigger {
  constructor(private readonly ledger: LoyaltyLedger) {}

  @EventTrigger(purchaseCompleted, { pipeline: loyaltyPointsPipeline.name })
  async onPurchaseCompleted(@Payload() purchase: PurchaseCompleted): Promise<void> {
    await this.ledger.credit(purchase);
  }
}
