import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../../../platform/config/index.js';
import {
  type NotificationServiceConfig,
  notificationServiceConfig,
} from './bank-notification.config.js';
import { flowContext } from '../../../../platform/event-bus/index.js';
import { truncate } from '../../../../platform/text/index.js';
import { DeliveryFailure } from '../../kernel/delivery-failure.error.js';
import { formatAmount } from '../../kernel/format-amount.js';
import type { PurchaseCompleted } from '../../kernel/purchase-completed.event.js';

/** What the notification service receives: enough for the bank app to show the purchase. */
export interface PushNotification {
  purchaseId: string;
  cardToken: string;
  title: string;
  body: string;
  amount: number;
  currency: string;
  merchantName: string;
  purchasedAt: string;
}

/**
 * The bank's push-notification service, over HTTP: one POST per purchase to
 * `purchaseFlow.notificationService.url` (`NOTIFICATION_SERVICE_URL`), bounded by its
 * `timeoutMs`. The purchase id goes as `Idempotency-Key`, so a service that honours it shows
 * a reprocessed notification once. 5xx, 408, 429, timeouts and refused connections may pass
 * later (`notification-service-unavailable`); any other answer will not (`notification-rejected`).
 * Node's own fetch is all this needs.
 */
@Injectable()
export class NotificationServiceClient {
  constructor(
    @InjectConfig(notificationServiceConfig) private readonly settings: NotificationServiceConfig,
  ) {}

  async push(purchase: PurchaseCompleted): Promise<string | null> {
    const { url, timeoutMs } = this.settings;
    if (!url) {
      throw new DeliveryFailure(
        'notification-service-not-configured',
        'the notification service is not configured (NOTIFICATION_SERVICE_URL)',
        false,
      );
    }
    const amount = formatAmount(purchase.amount, purchase.currency);
    const notification: PushNotification = {
      purchaseId: purchase.purchaseId,
      cardToken: purchase.cardToken,
      title: `Purchase of ${amount}`,
      body: `${amount} at ${purchase.merchantName}`,
      amount: purchase.amount,
      currency: purchase.currency,
      merchantName: purchase.merchantName,
      purchasedAt: purchase.purchasedAt,
    };
    const host = new URL(url).host;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `purchase-${purchase.purchaseId}`,
          'x-correlation-id': flowContext.current()?.correlationId ?? '',
        },
        body: JSON.stringify(notification),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause =
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : String(error);
      const message = timedOut
        ? `notification service at ${host} did not answer within ${timeoutMs} ms`
        : `notification service at ${host} could not be reached: ${cause}`;
      throw new DeliveryFailure('notification-service-unavailable', message, true, {
        cause: error,
      });
    }
    // A body that cannot be read leaves the status to tell what happened.
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      const retriable =
        response.status >= 500 || response.status === 408 || response.status === 429;
      const excerpt = truncate(text, 300, '…');
      throw new DeliveryFailure(
        retriable ? 'notification-service-unavailable' : 'notification-rejected',
        `notification service at ${host} answered ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
        retriable,
      );
    }
    return referenceOf(text);
  }
}

/** The service's id for the notification, when its answer has one (`id` or `notificationId`). */
function referenceOf(text: string): string | null {
  try {
    const body = JSON.parse(text) as { id?: unknown; notificationId?: unknown };
    const id = body.id ?? body.notificationId;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
  } catch {
    return null;
  }
}
