import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditRecord } from './audit-record.entity.js';
import { AuditTrail } from './audit-trail.js';
import { AuditController } from './audit.controller.js';
import { AuditInterceptor } from './audit.interceptor.js';

/** Every admin action, recorded and listable; import it where a controller uses `@Audited()`. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditRecord])],
  controllers: [AuditController],
  providers: [AuditTrail, AuditInterceptor],
  exports: [AuditTrail, AuditInterceptor],
})
export class AuditModule {}
