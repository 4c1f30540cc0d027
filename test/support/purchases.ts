import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { flowContext } from '../../src/platform/event-bus/flow-context.js';
import { PurchaseRecorder } from '../../src/integrations/purchase/pipelines/purchases/purchase-recorder.js';
import { type ItsmPeer, startItsmPeer } from './itsm-peer.js';
import { type SmtpPeer, startSmtpPeer } from './smtp-peer.js';

const unique = () => randomBytes(5).toString('hex');

/** A card of its own for a spec, under a new token: active, in EUR, with ample credit unless patched. */
export async function addCard(
  dataSource: DataSource,
  patch: { status?: string; currency?: string; creditLimit?: number } = {},
): Promise<string> {
  const token = `tok_test_${unique()}`;
  await dataSource.query(
    'INSERT INTO cards (token, status, currency, credit_limit, used) VALUES (?, ?, ?, ?, 0)',
    [token, patch.status ?? 'active', patch.currency ?? 'EUR', patch.creditLimit ?? 10_000_000],
  );
  return token;
}

/** A purchase of €12.50 at Corner Books on `cardToken`, by a new purchaser each time. */
export function purchaseRequest(cardToken: string, patch: Record<string, unknown> = {}) {
  return {
    cardToken,
    amount: 1250,
    currency: 'EUR',
    merchantId: 'corner-books',
    merchantName: 'Corner Books',
    purchaserEmail: `buyer-${unique()}@shop.test`,
    ...patch,
  };
}

/**
 * A purchase recorded by the real transaction (purchase, credit, pending deliveries) whose
 * `purchase.completed` was never published, as when the process died between the commit and
 * the publish: a spec publishes it, or lets the outbox find it.
 */
export async function recordUnpublished(app: INestApplication, correlationId: string) {
  const request = purchaseRequest(await addCard(app.get(DataSource)));
  const recorded = await flowContext.run({ correlationId, hops: 0 }, () =>
    app.get(PurchaseRecorder).record(request),
  );
  if ('code' in recorded) throw new Error(`not recorded: ${recorded.message}`);
  return { purchase: recorded.purchase, request };
}

/** The peers of the purchase flow's subscribers: an SMTP server, and a notification service. */
export interface PurchasePeers {
  smtp: SmtpPeer;
  /** Any HTTP peer does: it answers 201 with an id `push-<n>`. */
  notifications: ItsmPeer;
  receiptsOf(purchaseId: string): SmtpPeer['received'];
  notificationsOf(purchaseId: string): ItsmPeer['received'];
  close(): Promise<void>;
}

export async function startPurchasePeers(): Promise<PurchasePeers> {
  const smtp = await startSmtpPeer();
  const notifications = await startItsmPeer();
  let sequence = 0;
  notifications.reply(() => ({ status: 201, body: { id: `push-${++sequence}` } }));
  return {
    smtp,
    notifications,
    receiptsOf: (id) => smtp.received.filter((m) => m.header('x-purchase-id') === id),
    notificationsOf: (id) =>
      notifications.received.filter((r) => (r.body as { purchaseId?: string }).purchaseId === id),
    close: async () => void (await Promise.all([smtp.close(), notifications.close()])),
  };
}
