import type { AppProcess } from '../../harness/app-process.js';
import {
  type Deployment,
  type DeploymentOptions,
  startDeployment,
} from '../../harness/deployment.js';
import { startNotificationPeer } from '../../harness/notification-peer.js';
import { startSmtpPeer } from '../../support/smtp-peer.js';
import type { PurchasePeers } from './purchase-deliveries.js';

/** The synchronous model deployed as the compose file does: the front, and the subscribers apart. */
export interface PurchaseDeployment extends PurchasePeers {
  deployment: Deployment;
  /** `purchases` and `error-treatment`: takes the REST calls. */
  front: AppProcess;
  /** Starts a process running both subscribers, `bank-notification` and `store-receipt`. */
  subscriber(name: string, env?: Record<string, string>): Promise<AppProcess>;
  dispose(): Promise<void>;
}

export async function startPurchaseDeployment(
  options: DeploymentOptions,
): Promise<PurchaseDeployment> {
  const [deployment, smtp, notifications] = await Promise.all([
    startDeployment(options),
    startSmtpPeer(),
    startNotificationPeer(),
  ]);
  const peersEnv = { SMTP_URL: smtp.url(), NOTIFICATION_SERVICE_URL: notifications.url };
  try {
    // The first process migrates the database; the others find it done.
    const front = await deployment.app('front', 'purchases,error-treatment', peersEnv);
    return {
      deployment,
      smtp,
      notifications,
      front,
      subscriber: (name, env = {}) =>
        deployment.app(name, 'bank-notification,store-receipt', { ...peersEnv, ...env }),
      dispose: async () => {
        await deployment.dispose();
        await Promise.all([smtp.close(), notifications.close()]);
      },
    };
  } catch (error) {
    await deployment.dispose();
    await Promise.all([smtp.close(), notifications.close()]);
    throw error;
  }
}
