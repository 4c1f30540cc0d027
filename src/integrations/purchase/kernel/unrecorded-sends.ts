import { Injectable } from '@nestjs/common';
import { BackgroundWrites } from '../../../platform/persistence/index.js';
import { DeliveryLedger } from './delivery-ledger.js';
import type { DeliveryChannel } from './purchase-delivery.entity.js';

/**
 * Deliveries this process sent whose "sent" could not be recorded (the database failed just
 * after the peer accepted). Each is recorded in the background until that works, and is
 * remembered meanwhile, so that a redelivery in this process does not send it again. Only a
 * process that dies before recording it forgets it: then the delivery's lease runs out, and
 * it may be sent twice (the README says when).
 */
@Injectable()
export class UnrecordedSends {
  private readonly sent = new Set<string>();

  constructor(
    private readonly ledger: DeliveryLedger,
    private readonly writes: BackgroundWrites,
  ) {}

  remember(purchaseId: string, channel: DeliveryChannel, reference: string | null): void {
    const key = `${purchaseId}/${channel}`;
    this.sent.add(key);
    void this.writes
      .keep(`the ${channel} of purchase ${purchaseId} was sent; recording it`, () =>
        this.ledger.markSent(purchaseId, channel, reference),
      )
      .then((written) => {
        if (written) this.sent.delete(key);
      });
  }

  /** Sent by this process, and not yet recorded. */
  has(purchaseId: string, channel: DeliveryChannel): boolean {
    return this.sent.has(`${purchaseId}/${channel}`);
  }
}
