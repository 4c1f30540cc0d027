import { Module } from '@nestjs/common';
import { ErrorStoreModule } from '../../platform/error-store/error-store.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ErrorsController } from './errors.controller.js';

/** Error records: list, inspect, resolve and annotate. */
@Module({
  imports: [ErrorStoreModule, AuditModule],
  controllers: [ErrorsController],
})
export class AdminErrorsModule {}
