import { BadGatewayException, ConflictException, Injectable } from '@nestjs/common';
import { type ErrorRecord, ErrorStore } from '../../platform/error-store/index.js';
import { type Incident, ItsmNotifier, NotifierError } from '../../platform/notifiers/index.js';
import { truncate } from '../../platform/text/index.js';

/** Opens (again) an ITSM incident for an error record, and notes the ticket on the record. */
@Injectable()
export class ItsmResend {
  constructor(
    private readonly itsm: ItsmNotifier,
    private readonly errors: ErrorStore,
  ) {}

  async send(
    record: ErrorRecord,
    severity: Incident['severity'],
    actor: string,
  ): Promise<{ ticketId: string; record: ErrorRecord }> {
    let ticketId: string;
    try {
      ({ ticketId } = await this.itsm.openIncident(incidentOf(record, severity)));
    } catch (error) {
      if (!(error instanceof NotifierError)) throw error;
      if (error.code === 'not-configured')
        throw new ConflictException({ message: error.message, code: 'itsm-not-configured' });
      throw new BadGatewayException({
        message: `the ITSM tool did not open the incident: ${error.message}`,
        code: `itsm-${error.code}`,
      });
    }
    const sent = { ticketId, sentAt: new Date().toISOString(), by: actor };
    const previous = record.notifications ?? {};
    const history = Array.isArray(previous.itsmResent) ? previous.itsmResent : [];
    const updated = await this.errors.update(record.id, {
      notifications: { ...previous, itsm: sent, itsmResent: [...history, sent] },
      ...(record.status === 'open' ? { status: 'alerted' as const } : {}),
    });
    return { ticketId, record: updated! };
  }
}

function incidentOf(record: ErrorRecord, severity: Incident['severity']): Incident {
  return {
    shortDescription: truncate(`[${record.pipeline}] ${record.code}: ${record.message}`, 160),
    description: `${record.message}\n\nPipeline: ${record.pipeline}\nCode: ${record.code}\nOccurred at: ${record.occurredAt.toISOString()}\nError record: ${record.id}`,
    severity,
    category: 'integration',
    correlationId: record.correlationId,
    source: record.pipeline,
    details: {
      errorId: record.id,
      code: record.code,
      retriable: record.retriable,
      fingerprint: record.fingerprint,
      failedEvent: record.failedEvent
        ? { id: record.failedEvent.id, name: record.failedEvent.name }
        : undefined,
      reference: record.reference ?? undefined,
      context: record.context ?? undefined,
    },
  };
}
