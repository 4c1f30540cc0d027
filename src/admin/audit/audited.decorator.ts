import { SetMetadata } from '@nestjs/common';

export const AUDITED_METADATA = 'tributary:audited';

export interface AuditedAction {
  /** e.g. `dead-letter.replay`. */
  action: string;
  /** What is acted on, e.g. `dead-letter`. */
  targetType: string;
  /** The path parameter naming the target, if any. */
  targetParam?: string;
}

/** Records each call of the route in the audit trail (see {@link AuditInterceptor}). */
export const Audited = (action: string, targetType: string, targetParam?: string) =>
  SetMetadata(AUDITED_METADATA, { action, targetType, targetParam } satisfies AuditedAction);
