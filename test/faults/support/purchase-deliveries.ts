import { expect } from 'vitest';
import type { Deployment } from '../../harness/deployment.js';
import type { NotificationPeer } from '../../harness/notification-peer.js';
import { countBy, type Reckoning, reckon } from '../../harness/reckoning.js';
import type { ReportRow } from '../../harness/scenario-report.js';
import type { SmtpPeer } from '../../support/smtp-peer.js';

/** The purchase flow's real peers: the purchasers' mailboxes and the bank's notification service. */
export interface PurchasePeers {
  smtp: SmtpPeer;
  notifications: NotificationPeer;
}

/** A delivery not (yet) sent, as `purchase_deliveries` has it. */
export interface UnsentDelivery {
  purchase_id: string;
  channel: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

/** Where the deliveries of the accepted purchases stand, business-wise. */
export interface DeliveryOutcome {
  /** Receipts per purchase, as the SMTP peer received them (SMTP has no idempotency key). */
  receipts: Reckoning;
  /** Notifications per purchase, as the service showed them (it honours `Idempotency-Key`). */
  notifications: Reckoning;
  /** POSTs the service received again under a key it had shown: absorbed, as documented. */
  notificationRepeats: number;
  /** From `since` until the last one arrived; null when some never did. */
  recoverMs: number | null;
  /** Deliveries left unsent when the wait ended. */
  unsent: UnsentDelivery[];
}

/**
 * Waits until every accepted purchase has its receipt and its notification at the peers and
 * each delivery is `sent` in the database (nothing can send again then), or until `timeoutMs`;
 * then waits `quietMs` more for late duplicates and reckons.
 */
export async function awaitDeliveries(
  deployment: Deployment,
  peers: PurchasePeers,
  ids: string[],
  {
    since,
    timeoutMs = 30_000,
    quietMs = 1000,
  }: { since: number; timeoutMs?: number; quietMs?: number },
): Promise<DeliveryOutcome> {
  const deadline = Date.now() + timeoutMs;
  let recoverMs: number | null = null;
  let unsent: UnsentDelivery[] = [];
  const wanted = new Set(ids);
  while (Date.now() < deadline) {
    const now = reckonPeers(peers, ids);
    if (now.receipts.lost.length === 0 && now.notifications.lost.length === 0) {
      recoverMs ??= Date.now() - since;
      unsent = await unsentDeliveries(deployment, wanted);
      if (unsent.length === 0) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (recoverMs === null) unsent = await unsentDeliveries(deployment, wanted);
  await new Promise((resolve) => setTimeout(resolve, quietMs));
  return { ...reckonPeers(peers, ids), recoverMs, unsent };
}

function reckonPeers(peers: PurchasePeers, ids: string[]) {
  const receipts = countBy(peers.smtp.received, (mail) => mail.header('x-purchase-id'));
  const posts = [...peers.notifications.posts].filter(([id]) => ids.includes(id));
  const shown = posts.reduce((n, [id]) => n + (peers.notifications.shown.get(id) ?? 0), 0);
  return {
    receipts: reckon(ids, receipts),
    notifications: reckon(ids, peers.notifications.shown),
    notificationRepeats: posts.reduce((n, [, count]) => n + count, 0) - shown,
  };
}

async function unsentDeliveries(
  deployment: Deployment,
  ids: Set<string>,
): Promise<UnsentDelivery[]> {
  const rows = await deployment.query<UnsentDelivery[]>(
    "SELECT purchase_id, channel, status, attempts, last_error FROM purchase_deliveries WHERE status <> 'sent'",
  );
  return rows.filter((row) => ids.has(row.purchase_id));
}

/** The scenario table's rows for an outcome. */
export function deliveryRows(
  outcome: DeliveryOutcome,
  allowed = { receipts: 0, notifications: 0 },
): ReportRow[] {
  return [
    {
      flow: 'receipts (SMTP)',
      reckoning: outcome.receipts,
      allowed: allowed.receipts,
      recoverMs: outcome.recoverMs,
    },
    {
      flow: 'notifications (HTTP)',
      reckoning: outcome.notifications,
      allowed: allowed.notifications,
      recoverMs: outcome.recoverMs,
    },
  ];
}

/**
 * Nothing lost (every accepted purchase has its receipt and its notification, every delivery
 * sent) and no more duplicates than `allowedReceipts` (the docs' window: deliveries a killed
 * process was sending).
 */
export function expectDelivered(outcome: DeliveryOutcome, allowedReceipts = 0): void {
  const stuck = outcome.unsent
    .slice(0, 5)
    .map(
      (d) =>
        `${d.channel} of ${d.purchase_id}: ${d.status}, attempts ${d.attempts}, ${d.last_error ?? 'no error'}`,
    );
  expect(outcome.receipts.lost, `receipts lost; unsent deliveries: ${stuck.join('; ')}`).toEqual(
    [],
  );
  expect(
    outcome.notifications.lost,
    `notifications lost; unsent deliveries: ${stuck.join('; ')}`,
  ).toEqual([]);
  expect(outcome.unsent, 'deliveries left unsent').toEqual([]);
  expect(outcome.notifications.duplicated, 'notifications shown twice').toEqual([]);
  expect(outcome.receipts.duplicated.length, 'receipts sent twice').toBeLessThanOrEqual(
    allowedReceipts,
  );
}
