import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { AuditInterceptor } from './audit.interceptor.js';
import { AUDITED_METADATA, type AuditedAction } from './audited.constants.js';

/**
 * Records each call of the route in the audit trail (see {@link AuditInterceptor}). The
 * interceptor is bound here, per route, rather than globally: a global one would also wrap
 * every event trigger of the bus. The controller's module must import `AuditModule`.
 */
export const Audited = (action: string, targetType: string, targetParam?: string) =>
  applyDecorators(
    SetMetadata(AUDITED_METADATA, { action, targetType, targetParam } satisfies AuditedAction),
    UseInterceptors(AuditInterceptor),
  );
