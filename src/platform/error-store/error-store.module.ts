import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AlertThrottle } from './alert-throttle.js';
import { ErrorAlertWindow } from './error-alert-window.entity.js';
import { ErrorRecord } from './error-record.entity.js';
import { ErrorStore } from './error-store.js';

/** The error records shared by every error-treatment pipeline and the admin API. */
@Module({
  imports: [TypeOrmModule.forFeature([ErrorRecord, ErrorAlertWindow])],
  providers: [ErrorStore, AlertThrottle],
  exports: [ErrorStore, AlertThrottle],
})
export class ErrorStoreModule {}
