import { Inject, Injectable, Logger } from '@nestjs/common';
import { NOTIFIERS_OPTIONS } from './constants.js';
import type { NotifiersConfig } from './notifiers.config.js';
import { incidentBody, ticketIdOf } from './itsm-incident.mapping.js';
import { itsmRequestFailure, itsmStatusFailure } from './itsm-failure.js';
import { NotifierError } from './notifier.error.js';

/** What went wrong, for the people on call; mapped onto the ITSM tool's fields by configuration. */
export interface Incident {
  shortDescription: string;
  description: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  category?: string;
  correlationId: string;
  /** The pipeline that reports it. */
  source: string;
  /** Sent as JSON text (ServiceNow: `work_notes`). */
  details?: Record<string, unknown>;
}

const SEVERITIES = new Set<string>(['low', 'medium', 'high', 'critical']);

/**
 * Opens incidents in an ITSM tool over HTTP (ServiceNow's Table API by default): one POST of
 * the mapped incident to `notifiers.itsm.url`, with basic or bearer authentication, bounded by
 * `notifiers.itsm.timeoutMs`.
 */
@Injectable()
export class ItsmNotifier {
  private readonly logger = new Logger(ItsmNotifier.name);
  private readonly settings: NotifiersConfig['itsm'];
  private readonly authorization?: string;
  private readonly secrets: (string | undefined)[];

  constructor(@Inject(NOTIFIERS_OPTIONS) notifiers: NotifiersConfig) {
    this.settings = notifiers.itsm;
    const { username, password, token } = this.settings;
    const basic =
      username && password ? Buffer.from(`${username}:${password}`).toString('base64') : undefined;
    this.authorization = token ? `Bearer ${token}` : basic ? `Basic ${basic}` : undefined;
    this.secrets = [password, token, basic];
  }

  /** The longest a request to the ITSM tool may take (`notifiers.itsm.timeoutMs`). */
  get timeoutMs(): number {
    return this.settings.timeoutMs;
  }

  /** Whether `ITSM_URL` is set; when not, {@link openIncident} rejects, not retriable. */
  isConfigured(): boolean {
    return this.settings.url !== undefined;
  }

  /**
   * Opens the incident and returns the tool's ticket id. Rejects with a {@link NotifierError}
   * whose `retriable` says whether trying again may help.
   */
  async openIncident(incident: Incident): Promise<{ ticketId: string }> {
    const { url, timeoutMs } = this.settings;
    if (url === undefined) {
      throw new NotifierError('ITSM is not configured (ITSM_URL)', {
        notifier: 'itsm',
        code: 'not-configured',
        retriable: false,
      });
    }
    if (!SEVERITIES.has(incident.severity)) {
      throw new NotifierError(`incident severity must be low, medium, high or critical`, {
        notifier: 'itsm',
        code: 'invalid-notification',
        retriable: false,
      });
    }
    const host = new URL(url).host;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: this.headers(incident),
        body: JSON.stringify(incidentBody(incident, this.settings)),
        // A redirect could carry the credentials elsewhere: it is reported instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw itsmRequestFailure(error, host, timeoutMs, this.secrets);
    }
    if (response.status < 200 || response.status > 299) {
      throw itsmStatusFailure(response.status, text, host, this.secrets);
    }
    const ticketId = ticketIdOf(parseJson(text), this.settings);
    if (ticketId === undefined) {
      // The incident was probably created: trying again would open a duplicate.
      throw new NotifierError(
        `ITSM at ${host} answered ${response.status} without a ticket id at ${this.settings.ticketIdPath}`,
        { notifier: 'itsm', code: 'bad-response', retriable: false, status: response.status },
      );
    }
    this.logger.log(
      `incident ${ticketId} opened for ${incident.source} (correlation ${incident.correlationId})`,
    );
    return { ticketId };
  }

  private headers(incident: Incident): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-correlation-id': incident.correlationId,
    };
    if (this.authorization) headers.authorization = this.authorization;
    return headers;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
