import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErrorRecord } from './error-record.entity.js';
import { ErrorStore } from './error-store.js';

/** The error records shared by every error-treatment pipeline and the admin API. */
@Module({
  imports: [TypeOrmModule.forFeature([ErrorRecord])],
  providers: [ErrorStore],
  exports: [ErrorStore],
})
export class ErrorStoreModule {}
