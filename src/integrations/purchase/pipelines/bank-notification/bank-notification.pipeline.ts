import { definePipeline } from '../../../../platform/pipeline/index.js';
import { purchaseFlowError } from '../../kernel/purchase-flow-error.event.js';
import { purchaseFlowResolved } from '../../kernel/purchase-flow-resolved.event.js';
import { notificationServiceConfig } from './bank-notification.config.js';

/** Subscriber: the bank app's push notification of each purchase. It knows the event, never `purchases`. */
export const bankNotificationPipeline = definePipeline({
  name: 'bank-notification',
  role: 'subscriber',
  description:
    'Sends a push notification of each purchase to the bank app through the notification service',
  publishes: [purchaseFlowError, purchaseFlowResolved],
  config: [notificationServiceConfig],
});
