import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { ErrorRecordStatus } from '../error-store/error-record.entity.js';
import { ErrorStore } from '../error-store/error-store.js';
import type { PipelineError } from '../error-store/pipeline-error.js';
import { BusObservers } from '../event-bus/bus-observers.js';
import { createEnvelope } from '../event-bus/event-envelope.js';
import { EmailNotifier } from '../notifiers/email.notifier.js';
import { ItsmNotifier } from '../notifiers/itsm.notifier.js';
import { RELIABILITY_OPTIONS } from './constants.js';
import { type OutageEpisode, OutageEpisodes } from './outage-episodes.js';

/** What outage alerts need: when an outage is worth one, and who is told. */
export interface ReliabilityOptions {
  /** A wait for the database or broker this long raises one alert (`bus.outageAlertAfterMs`). */
  outageAlertAfterMs: number;
  /** Where the e-mail goes; absent, no e-mail. */
  supportEmail?: string;
}

/** What became of an alert on one channel. */
type ChannelOutcome =
  | { outcome: 'sent'; reference: string }
  | { outcome: 'failed'; error: string }
  | { outcome: 'skipped'; reason: string };

interface RaisedAlert {
  episode: OutageEpisode;
  channels: { email: ChannelOutcome; itsm: ChannelOutcome };
  recordId?: string;
}

/**
 * One alert per outage episode of the database or broker (see {@link OutageEpisodes}), once it
 * has lasted `outageAlertAfterMs`: an e-mail to `supportEmail` and an ITSM
 * incident, each when configured, and an error record (code `database-outage` or
 * `broker-outage`). A broker outage is recorded when the alert is raised; a database outage
 * cannot be, and is recorded when the database answers again, with what the channels said.
 * Either record is marked resolved when the episode ends. Each process alerts for the
 * episodes its own triggers wait through.
 */
@Injectable()
export class OutageAlerts implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('OutageAlerts');
  private readonly episodes: OutageEpisodes;
  private readonly raised = new Map<string, RaisedAlert>();

  constructor(
    @Inject(RELIABILITY_OPTIONS) private readonly options: ReliabilityOptions,
    private readonly observers: BusObservers,
    private readonly errors: ErrorStore,
    private readonly email: EmailNotifier,
    private readonly itsm: ItsmNotifier,
  ) {
    this.episodes = new OutageEpisodes(
      options.outageAlertAfterMs,
      (episode) => void this.raise(episode),
      (episode, endedAt) => void this.ended(episode, endedAt),
    );
  }

  onModuleInit(): void {
    this.observers.add({ outage: (report) => this.episodes.heard(report) });
  }

  onModuleDestroy(): void {
    this.episodes.stop();
  }

  private async raise(episode: OutageEpisode): Promise<void> {
    const error = errorOf(episode);
    this.logger.error(`${error.message}: alert raised [correlationId=${episode.id}]`);
    const alert: RaisedAlert = { episode, channels: await this.notify(error) };
    this.raised.set(episode.id, alert);
    if (episode.dependency !== 'database') await this.record(alert, 'alerted');
  }

  private async ended(episode: OutageEpisode, endedAt: Date): Promise<void> {
    const alert = this.raised.get(episode.id);
    // A short outage raised nothing: the triggers' log lines tell it.
    if (!alert) return;
    this.raised.delete(episode.id);
    this.logger.log(
      `the ${episode.dependency} answers again after ${seconds(episode.since, endedAt)} s [correlationId=${episode.id}]`,
    );
    await this.record(alert, 'resolved', endedAt);
  }

  /** Writes the episode's error record, or marks it resolved; never throws (logged). */
  private async record(alert: RaisedAlert, status: ErrorRecordStatus, endedAt?: Date) {
    const { episode, channels } = alert;
    const note = endedAt
      ? `the ${episode.dependency} answered again after ${seconds(episode.since, endedAt)} s`
      : null;
    try {
      if (alert.recordId) {
        await this.errors.update(alert.recordId, { status, note });
        return;
      }
      const error = errorOf(episode);
      const envelope = createEnvelope('bus.outage', error, error.pipeline, {
        correlationId: episode.id,
      });
      const { record } = await this.errors.record(envelope, { status });
      alert.recordId = record.id;
      await this.errors.update(record.id, { notifications: { channels }, note });
    } catch (error) {
      this.logger.error(
        `the error record of the ${episode.dependency} outage ${episode.id} could not be written: ${(error as Error).message}`,
      );
    }
  }

  private async notify(error: PipelineError): Promise<RaisedAlert['channels']> {
    const title = `${error.pipeline}: ${error.code}`;
    const to = this.options.supportEmail;
    const email = await outcomeOf(async () => {
      if (!to || !this.email.isConfigured()) return 'SUPPORT_EMAIL or SMTP_URL not set';
      const sent = await this.email.send({
        to,
        subject: `[Tributary] ${title}`,
        text: describe(error),
        headers: { 'X-Correlation-Id': error.correlationId },
      });
      return { reference: sent.messageId };
    });
    const itsm = await outcomeOf(async () => {
      if (!this.itsm.isConfigured()) return 'ITSM_URL not set';
      const opened = await this.itsm.openIncident({
        shortDescription: title,
        description: describe(error),
        severity: 'high',
        category: 'integration',
        correlationId: error.correlationId,
        source: error.pipeline,
        details: error.context,
      });
      return { reference: opened.ticketId };
    });
    return { email, itsm };
  }
}

/** The episode as the one error contract: the first pipeline that waited, the others in context. */
function errorOf(episode: OutageEpisode): PipelineError {
  const pipelines = [...episode.pipelines];
  return {
    pipeline: pipelines[0]!,
    code: `${episode.dependency}-outage`,
    message:
      `the ${episode.dependency} did not answer for ${seconds(episode.since, episode.alertedAt ?? new Date())} s ` +
      `(${episode.cause}); the triggers of ${pipelines.join(', ')} hold their events until it does`,
    correlationId: episode.id,
    retriable: true,
    occurredAt: episode.since.toISOString(),
    context: { dependency: episode.dependency, cause: episode.cause, pipelines },
  };
}

function describe(error: PipelineError): string {
  return [
    error.message,
    '',
    'No event is lost or dead-lettered meanwhile: each waits, its delivery not counted.',
    `Since:          ${error.occurredAt}`,
    `Correlation id: ${error.correlationId}`,
  ].join('\n');
}

/** Sent (a reference), skipped (why), or failed (the error): never throws. */
async function outcomeOf(
  send: () => Promise<{ reference: string } | string>,
): Promise<ChannelOutcome> {
  try {
    const result = await send();
    return typeof result === 'string'
      ? { outcome: 'skipped', reason: result }
      : { outcome: 'sent', reference: result.reference };
  } catch (error) {
    return { outcome: 'failed', error: (error as Error).message };
  }
}

const seconds = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 1000);
