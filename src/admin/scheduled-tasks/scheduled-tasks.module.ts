import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ReprocessingController } from './scheduled-tasks.controller.js';

/** Scheduled tasks (`/admin/reprocessing`): their schedule and latest runs, and a run on demand. */
@Module({ imports: [AuditModule], controllers: [ReprocessingController] })
export class AdminScheduledTasksModule {}
