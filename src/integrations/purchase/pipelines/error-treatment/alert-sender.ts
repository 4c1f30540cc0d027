import { Injectable } from '@nestjs/common';
import { InjectConfig } from '../../../../platform/config/index.js';
import {
  type ErrorTreatmentConfig,
  errorTreatmentConfig,
  type ErrorTreatmentRule,
} from './error-treatment.config.js';
import type { ErrorRecord } from '../../../../platform/error-store/index.js';
import {
  EmailNotifier,
  ItsmNotifier,
  NotifierError,
} from '../../../../platform/notifiers/index.js';

type Channel = ErrorTreatmentRule['channels'][number];

/** What one alert says beyond the error record itself. */
export interface AlertSummary {
  /** This error plus the alike ones held back since the previous alert. */
  count: number;
  previousAlertAt: Date | null;
  reprocessAttempts: number;
}

/** Per channel: sent (with the peer's id), failed (with why), or skipped (not configured). */
export type ChannelOutcome =
  | { outcome: 'sent'; reference: string }
  | { outcome: 'failed'; error: string; retriable: boolean }
  | { outcome: 'skipped'; reason: string };

/**
 * Sends an error record's alert on the rule's channels: an e-mail to `errorTreatment.supportEmail`,
 * an incident in the ITSM tool. A channel already `sent` (an earlier delivery of the same
 * error event) is not sent again. Never throws: each channel's outcome is returned.
 */
@Injectable()
export class AlertSender {
  constructor(
    @InjectConfig(errorTreatmentConfig) private readonly settings: ErrorTreatmentConfig,
    private readonly email: EmailNotifier,
    private readonly itsm: ItsmNotifier,
  ) {}

  async send(
    record: ErrorRecord,
    rule: ErrorTreatmentRule,
    summary: AlertSummary,
    done: Partial<Record<Channel, ChannelOutcome>>,
  ): Promise<Partial<Record<Channel, ChannelOutcome>>> {
    const outcomes: Partial<Record<Channel, ChannelOutcome>> = {};
    for (const channel of rule.channels) {
      const previous = done[channel];
      outcomes[channel] =
        previous?.outcome === 'sent' ? previous : await this.sendOn(channel, record, rule, summary);
    }
    return outcomes;
  }

  private async sendOn(
    channel: Channel,
    record: ErrorRecord,
    rule: ErrorTreatmentRule,
    summary: AlertSummary,
  ): Promise<ChannelOutcome> {
    try {
      if (channel === 'email') {
        const to = this.settings.supportEmail;
        if (!to || !this.email.isConfigured())
          return { outcome: 'skipped', reason: 'SUPPORT_EMAIL or SMTP_URL not set' };
        const { messageId } = await this.email.send({
          to,
          subject: `[Tributary] ${title(record, summary)}`,
          text: describeAlert(record, summary),
          headers: { 'X-Error-Record-Id': record.id, 'X-Correlation-Id': record.correlationId },
        });
        return { outcome: 'sent', reference: messageId };
      }
      if (!this.itsm.isConfigured()) return { outcome: 'skipped', reason: 'ITSM_URL not set' };
      const { ticketId } = await this.itsm.openIncident({
        shortDescription: title(record, summary),
        description: describeAlert(record, summary),
        severity: rule.severity ?? 'medium',
        category: 'integration',
        correlationId: record.correlationId,
        source: record.pipeline,
        details: {
          errorRecordId: record.id,
          code: record.code,
          count: summary.count,
          previousAlertAt: summary.previousAlertAt?.toISOString() ?? null,
          reprocessAttempts: summary.reprocessAttempts,
          event: record.failedEvent
            ? { id: record.failedEvent.id, name: record.failedEvent.name }
            : null,
        },
      });
      return { outcome: 'sent', reference: ticketId };
    } catch (error) {
      const retriable = error instanceof NotifierError ? error.retriable : true;
      return {
        outcome: 'failed',
        error: error instanceof Error ? error.message : String(error),
        retriable,
      };
    }
  }
}

function title(record: ErrorRecord, summary: AlertSummary): string {
  const times = summary.count > 1 ? ` (${summary.count} errors)` : '';
  return `${record.pipeline}: ${record.code}${times}`;
}

function describeAlert(record: ErrorRecord, summary: AlertSummary): string {
  const lines = [
    `Pipeline ${record.pipeline} failed: ${record.code}.`,
    record.message,
    '',
    `Error record:   ${record.id}`,
    `Correlation id: ${record.correlationId}`,
    `Occurred at:    ${record.occurredAt.toISOString()}`,
    `Retriable:      ${record.retriable ? 'yes' : 'no'}`,
  ];
  if (summary.reprocessAttempts > 0)
    lines.push(`Reprocessed:    ${summary.reprocessAttempts} time(s), without success`);
  if (record.failedEvent)
    lines.push(`Failed event:   ${record.failedEvent.name} ${record.failedEvent.id}`);
  lines.push(
    summary.previousAlertAt
      ? `Errors alike since the previous alert (${summary.previousAlertAt.toISOString()}): ${summary.count}`
      : `Errors alike: ${summary.count} (first alert of this kind)`,
  );
  return lines.join('\n');
}
