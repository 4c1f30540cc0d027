import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { PipelineOverview } from './pipeline-overview.js';
import { PipelinesController } from './pipelines.controller.js';

/** Pipelines and topology: inspect, pause and resume. */
@Module({
  imports: [AuditModule],
  controllers: [PipelinesController],
  providers: [PipelineOverview],
  exports: [PipelineOverview],
})
export class AdminPipelinesModule {}
