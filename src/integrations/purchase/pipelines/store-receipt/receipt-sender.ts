import { Injectable } from '@nestjs/common';
import { EmailNotifier, NotifierError } from '../../../../platform/notifiers/index.js';
import { DeliveryFailure } from '../../kernel/delivery-failure.error.js';
import type { PurchaseCompleted } from '../../kernel/purchase-completed.event.js';
import { receiptMail } from './receipt-mail.js';

/**
 * Sends the receipt through the platform's e-mail notifier and names its failures in the
 * flow's words: `smtp-unavailable` when the server may accept it later (connection refused,
 * 4xx reply), `smtp-rejected` when it will not, `smtp-not-configured` without `SMTP_URL`.
 */
@Injectable()
export class ReceiptSender {
  constructor(private readonly email: EmailNotifier) {}

  async send(purchase: PurchaseCompleted): Promise<string> {
    try {
      const { messageId } = await this.email.send(receiptMail(purchase));
      return messageId;
    } catch (error) {
      if (!(error instanceof NotifierError)) throw error;
      const code =
        error.code === 'not-configured'
          ? 'smtp-not-configured'
          : error.retriable
            ? 'smtp-unavailable'
            : 'smtp-rejected';
      throw new DeliveryFailure(code, error.message, error.retriable, { cause: error });
    }
  }
}
