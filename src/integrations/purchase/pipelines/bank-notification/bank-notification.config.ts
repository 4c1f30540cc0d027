import { z } from 'zod';
import { type ConfigOf, defineConfig, httpUrl, millis } from '../../../../platform/config/index.js';

/** Where `bank-notification` POSTs push notifications; absent, each fails as not configured. */
export const notificationServiceConfig = defineConfig({
  key: 'purchaseFlow.notificationService',
  schema: z.object({ url: httpUrl.optional(), timeoutMs: millis }).strict(),
  defaults: { timeoutMs: 5000 },
  env: { url: { name: 'NOTIFICATION_SERVICE_URL', parse: 'string' } },
});

export type NotificationServiceConfig = ConfigOf<typeof notificationServiceConfig>;
