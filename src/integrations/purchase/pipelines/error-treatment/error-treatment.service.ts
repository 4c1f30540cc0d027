import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig } from '../../../../platform/config/index.js';
import {
  type ErrorTreatmentConfig,
  errorTreatmentConfig,
  type ErrorTreatmentRule,
} from './error-treatment.config.js';
import {
  AlertThrottle,
  type ErrorRecord,
  type ErrorResolved,
  ErrorStore,
  type PipelineError,
} from '../../../../platform/error-store/index.js';
import {
  type EventEnvelope,
  InjectPublisher,
  type Publisher,
} from '../../../../platform/event-bus/index.js';
import type { PurchaseCompleted } from '../../kernel/purchase-completed.event.js';
import {
  notificationRetry,
  type PurchaseReprocess,
  receiptRetry,
  reprocessEvents,
} from '../../kernel/reprocess.events.js';
import { AlertSender, type ChannelOutcome } from './alert-sender.js';
import { matchRule, reprocessAttemptOf, reprocessDelay } from './treatment-rules.js';

/** Thrown when an alert channel failed in a way that may pass: the bus redelivers the error event. */
export class AlertNotSentError extends Error {
  override readonly name = 'AlertNotSentError';
}

/**
 * Error treatment of the purchase flow. Each error is stored first, so that nothing is lost
 * when alerting fails; then the first matching rule decides: reprocess (republish the
 * original purchase to the failed pipeline alone, up to the rule's limit, then alert) or
 * alert (e-mail and/or ITSM), one alert per fingerprint per window. A resolution (what failed
 * was delivered since) resolves its records, whatever their status.
 */
@Injectable()
export class ErrorTreatmentService {
  private readonly logger = new Logger('error-treatment');
  private readonly reprocessors: ReadonlyMap<string, Publisher<PurchaseReprocess>>;

  constructor(
    @InjectConfig(errorTreatmentConfig) private readonly settings: ErrorTreatmentConfig,
    private readonly store: ErrorStore,
    private readonly throttle: AlertThrottle,
    private readonly alerts: AlertSender,
    @InjectPublisher(receiptRetry) receipts: Publisher<PurchaseReprocess>,
    @InjectPublisher(notificationRetry) notifications: Publisher<PurchaseReprocess>,
  ) {
    const publishers = [receipts, notifications];
    this.reprocessors = new Map(
      Object.entries(reprocessEvents).map(([pipeline, event]) => [
        pipeline,
        publishers.find((p) => p.event === event)!,
      ]),
    );
  }

  async treat(envelope: EventEnvelope<PipelineError>): Promise<void> {
    const { record } = await this.store.record(envelope);
    // Treated on an earlier delivery of this error event.
    if (record.status !== 'open') return;
    const error = envelope.payload;
    const rule = matchRule(this.settings.rules, error);
    const attempts = reprocessAttemptOf(error);
    if (rule.action === 'reprocess' && (await this.reprocess(record, error, rule, attempts)))
      return;
    await this.alert(record, rule, attempts);
  }

  /**
   * What failed has since been delivered (reprocessing, a redelivery, the outbox): every
   * record about it is resolved, those of earlier reprocessing attempts included.
   */
  async resolve(resolution: ErrorResolved): Promise<void> {
    const resolved = await this.store.resolve(resolution.subjects, resolution.how);
    if (resolved > 0)
      this.logger.log(
        `${resolution.pipeline}: ${resolved} error record(s) resolved (${resolution.how})`,
      );
  }

  /** Asks the failed pipeline to try again; false when it cannot or may not. */
  private async reprocess(
    record: ErrorRecord,
    error: PipelineError,
    rule: ErrorTreatmentRule,
    attempts: number,
  ): Promise<boolean> {
    const publisher = this.reprocessors.get(error.pipeline);
    if (!publisher || !error.retriable || !error.event || attempts >= (rule.maxReprocess ?? 0))
      return false;
    const attempt = attempts + 1;
    // Waiting here keeps the error event unacknowledged: if this process dies, it is redelivered.
    await sleep(reprocessDelay(attempt, this.settings.reprocess));
    await publisher.publish({
      attempt,
      errorRecordId: record.id,
      originalEventId: error.event.id,
      purchase: error.event.payload as PurchaseCompleted,
    });
    // Only from open: a fast reprocessing may have resolved it already.
    await this.store.update(
      record.id,
      {
        status: 'reprocessing',
        notifications: {
          reprocess: { attempt, maxReprocess: rule.maxReprocess, event: publisher.event.name },
        },
      },
      'open',
    );
    this.logger.log(
      `${error.pipeline} ${error.code}: reprocessing ${attempt}/${rule.maxReprocess} asked [correlationId=${error.correlationId}]`,
    );
    return true;
  }

  private async alert(
    record: ErrorRecord,
    rule: ErrorTreatmentRule,
    reprocessAttempts: number,
  ): Promise<void> {
    const decision = await this.throttle.decide(
      record.fingerprint,
      record.id,
      this.settings.aggregationWindowMs,
    );
    if (!decision.alert) {
      await this.store.update(
        record.id,
        { status: 'alerted', notifications: { aggregatedInto: decision.alertRecordId } },
        'open',
      );
      return;
    }
    const summary = {
      count: decision.count,
      previousAlertAt: decision.previousAlertAt,
      reprocessAttempts,
    };
    const done = (record.notifications?.channels ?? {}) as Record<string, ChannelOutcome>;
    const channels = await this.alerts.send(record, rule, summary, done);
    const outcomes = Object.values(channels);
    const sent = outcomes.filter((o) => o.outcome === 'sent').length;
    const retry = outcomes.some((o) => o.outcome === 'failed' && o.retriable);
    await this.store.update(
      record.id,
      {
        // Open while no alert went out: the record is what support finds then.
        status: sent > 0 && !retry ? 'alerted' : 'open',
        notifications: {
          alert: {
            count: summary.count,
            previousAlertAt: summary.previousAlertAt,
            reprocessAttempts,
          },
          channels,
        },
      },
      'open',
    );
    if (retry) {
      throw new AlertNotSentError(
        `alert for error record ${record.id} not sent on every channel: ${JSON.stringify(channels)}`,
      );
    }
  }
}
