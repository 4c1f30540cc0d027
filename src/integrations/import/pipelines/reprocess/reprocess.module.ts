import { Module } from '@nestjs/common';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { ImportFlowModule } from '../../kernel/import-flow.module.js';
import { reprocessPipeline } from './reprocess.pipeline.js';
import { Reprocessor } from './reprocessor.js';

/** Pipeline 3 of the asynchronous model. Trigger: a schedule (`importFlow.reprocess.intervalMs`). */
@Module({
  imports: [PipelineModule.register(reprocessPipeline), ImportFlowModule],
  providers: [Reprocessor],
})
export class ReprocessModule {}
