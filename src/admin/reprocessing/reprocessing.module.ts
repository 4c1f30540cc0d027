import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ReprocessingController } from './reprocessing.controller.js';

/** Reprocessing: its schedule and latest runs, and a run on demand. */
@Module({ imports: [AuditModule], controllers: [ReprocessingController] })
export class AdminReprocessingModule {}
