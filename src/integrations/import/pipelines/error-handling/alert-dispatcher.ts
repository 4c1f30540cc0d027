import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { InjectConfig } from '../../../../platform/config/index.js';
import { type ErrorHandlingConfig, errorHandlingConfig } from './error-handling.config.js';
import { ErrorRecord, ErrorStore } from '../../../../platform/error-store/index.js';
import { retryDelay } from '../../../../platform/reliability/index.js';
import {
  EmailNotifier,
  ItsmNotifier,
  NotifierError,
} from '../../../../platform/notifiers/index.js';
import { type ObjectStoreEntry, ObjectStore } from '../../../../platform/object-store/index.js';
import { RecurringTask } from '../../../../platform/scheduling/index.js';
import {
  type AlertSummary,
  emailOf,
  ERROR_ALERTS_STORE,
  type ErrorAlert,
  incidentOf,
} from './error-alert.js';

type AlertEntry = ObjectStoreEntry & { payload: ErrorAlert };

/**
 * Sends the alerts whose aggregation window has passed: one ITSM incident and one e-mail per
 * import and error code, with the count and samples of its error records, which are then
 * marked alerted. Alerts are claimed under a lease (replicas never send one twice); a failed
 * notification is retried with backoff, remembering what already went out so a retry never
 * opens a second ticket; the error records stay stored whatever happens.
 */
@Injectable()
export class AlertDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AlertDispatcher');
  private readonly task: RecurringTask;
  private readonly leaseMs: number;

  constructor(
    @InjectConfig(errorHandlingConfig) private readonly settings: ErrorHandlingConfig,
    private readonly store: ObjectStore,
    private readonly errors: ErrorStore,
    private readonly itsm: ItsmNotifier,
    private readonly email: EmailNotifier,
    @InjectRepository(ErrorRecord) private readonly records: Repository<ErrorRecord>,
    registry: SchedulerRegistry,
  ) {
    // Long enough for both notifiers to time out once.
    this.leaseMs = itsm.timeoutMs + email.timeoutMs + 5_000;
    this.task = new RecurringTask(
      registry,
      'import-alert-dispatcher',
      this.settings.flushIntervalMs,
      () => this.run(),
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
  }

  async run(): Promise<void> {
    const claim = await this.store.claimDue<ErrorAlert>(ERROR_ALERTS_STORE, {
      limit: 20,
      leaseMs: this.leaseMs,
    });
    for (const entry of claim.entries) await this.dispatch(entry, claim.owner);
  }

  private async dispatch(entry: AlertEntry, owner: string): Promise<void> {
    const alert: ErrorAlert = { ...entry.payload };
    const summary: AlertSummary = {
      count: await this.errors.countSimilar(entry.key, new Date(0)),
      samples: await this.records.find({
        where: { fingerprint: entry.key },
        order: { occurredAt: 'ASC' },
        take: this.settings.samples,
      }),
    };
    try {
      if (this.itsm.isConfigured() && !alert.ticketId) {
        alert.ticketId = (await this.itsm.openIncident(incidentOf(alert, summary))).ticketId;
      }
      if (this.email.isConfigured() && this.settings.supportEmail && !alert.emailMessageId) {
        alert.emailMessageId = (
          await this.email.send(emailOf(alert, summary, this.settings.supportEmail))
        ).messageId;
      }
    } catch (error) {
      await this.failed(entry, owner, alert, error);
      return;
    }
    if (!(await this.store.markDone(entry, owner, { payload: alert }))) return;
    const notifications =
      alert.ticketId || alert.emailMessageId
        ? {
            ticketId: alert.ticketId,
            emailMessageId: alert.emailMessageId,
            aggregated: summary.count,
          }
        : {
            none: 'no notifier is configured (ITSM_URL, SMTP_URL with importFlow.errorHandling.supportEmail)',
          };
    await this.records.update(
      { fingerprint: entry.key, status: 'open' },
      { status: 'alerted', notifications },
    );
  }

  private async failed(
    entry: AlertEntry,
    owner: string,
    alert: ErrorAlert,
    error: unknown,
  ): Promise<void> {
    const retriable = error instanceof NotifierError ? error.retriable : true;
    const message = (error as Error).message ?? String(error);
    const code =
      error instanceof NotifierError ? `${error.notifier}-${error.code}` : 'notify-failed';
    const attempts = entry.attempts + 1;
    if (retriable && attempts < this.settings.retry.maxAttempts) {
      this.logger.warn(`alert ${alert.code} (${alert.importId}): ${message}; trying again`);
      const delay = retryDelay(
        attempts,
        this.settings.retry.baseDelayMs,
        this.settings.retry.maxDelayMs,
      );
      await this.store.retryLater(entry, owner, {
        error: { code, message, retriable },
        nextAttemptAt: new Date(Date.now() + delay),
        payload: alert,
      });
      return;
    }
    this.logger.error(
      `alert ${alert.code} (${alert.importId}) could not be sent: ${message}; its error records stay open`,
    );
    await this.store.markDead(entry, owner, { code, message, retriable });
    await this.records.update(
      { fingerprint: entry.key, status: 'open' },
      {
        notifications: {
          failed: message,
          ticketId: alert.ticketId,
          emailMessageId: alert.emailMessageId,
        },
      },
    );
  }
}
