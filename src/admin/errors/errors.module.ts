import { Module } from '@nestjs/common';
import { ErrorStoreModule } from '../../platform/error-store/index.js';
import { AuditModule } from '../audit/audit.module.js';
import { ErrorsController } from './errors.controller.js';
import { ItsmResend } from './itsm-resend.js';

/** Error records: list, inspect, resolve, annotate, and send to ITSM again. */
@Module({
  imports: [ErrorStoreModule, AuditModule],
  controllers: [ErrorsController],
  providers: [ItsmResend],
})
export class AdminErrorsModule {}
