import type { ErrorRecord } from '../../../../platform/error-store/index.js';
import type { Incident } from '../../../../platform/notifiers/index.js';

/** The Object Store of pipeline 4: one entry per alert (per import and error code), keyed by fingerprint. */
export const ERROR_ALERTS_STORE = 'error-alerts';

/** What an alert entry holds, and what it remembers of the notifications already sent. */
export interface ErrorAlert {
  pipeline: string;
  code: string;
  importId: string | null;
  correlationId: string;
  ticketId?: string;
  emailMessageId?: string;
}

export interface AlertSummary {
  count: number;
  samples: ErrorRecord[];
}

function title(alert: ErrorAlert, summary: AlertSummary): string {
  const where = alert.importId ? `import ${alert.importId}` : 'the import flow';
  return `${summary.count} x ${alert.code} in ${alert.pipeline} (${where})`;
}

function sampleLines(summary: AlertSummary): string[] {
  return summary.samples.map((s) => {
    const key = (s.context as { recordKey?: unknown } | null)?.recordKey;
    return `- ${s.occurredAt.toISOString()}${key !== undefined ? ` record ${String(key)}` : ''}: ${s.message}`;
  });
}

/** The ITSM incident of an alert: one ticket with the count and a few samples. */
export function incidentOf(alert: ErrorAlert, summary: AlertSummary): Incident {
  return {
    shortDescription: title(alert, summary),
    description: [
      `${summary.count} error(s) with code ${alert.code} from pipeline ${alert.pipeline}.`,
      `Samples (${summary.samples.length}):`,
      ...sampleLines(summary),
    ].join('\n'),
    severity: summary.count >= 100 ? 'high' : 'medium',
    category: 'integration',
    correlationId: alert.correlationId,
    source: alert.pipeline,
    details: {
      importId: alert.importId,
      code: alert.code,
      count: summary.count,
      samples: summary.samples.map((s) => ({
        id: s.id,
        message: s.message,
        context: s.context,
        occurredAt: s.occurredAt,
      })),
    },
  };
}

/** The e-mail of an alert, pointing at the ticket when there is one. */
export function emailOf(alert: ErrorAlert, summary: AlertSummary, to: string) {
  const ticket = alert.ticketId ? `ITSM ticket: ${alert.ticketId}\n\n` : '';
  return {
    to,
    subject: `[Tributary] ${title(alert, summary)}`,
    text: `${ticket}${summary.count} error(s) with code ${alert.code} from pipeline ${alert.pipeline}.\n\n${sampleLines(summary).join('\n')}\n`,
    headers: { 'X-Correlation-Id': alert.correlationId },
  };
}
