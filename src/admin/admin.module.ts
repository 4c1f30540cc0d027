import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { AdminErrorsModule } from './errors/errors.module.js';
import { AdminMeModule } from './me/me.module.js';
import { AdminEventsModule } from './events/events.module.js';
import { AdminObjectStoreModule } from './object-store/object-store.module.js';
import { AdminPipelinesModule } from './pipelines/pipelines.module.js';
import { AdminScheduledTasksModule } from './scheduled-tasks/scheduled-tasks.module.js';

/**
 * The operators' API under `/api/v1/admin`, one module per area. `me` answers any role; reads need `operator`,
 * replays `operator`, everything else `admin`; every action lands in the audit trail.
 */
@Module({
  imports: [
    AdminMeModule,
    AdminPipelinesModule,
    AdminEventsModule,
    AdminErrorsModule,
    AdminObjectStoreModule,
    AdminScheduledTasksModule,
    AuditModule,
  ],
})
export class AdminModule {}
