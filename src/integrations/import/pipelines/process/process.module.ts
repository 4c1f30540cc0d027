import { Module } from '@nestjs/common';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { ImportFlowModule } from '../../kernel/import-flow.module.js';
import { DeadLetteredRecords } from './dead-lettered-records.js';
import { processPipeline } from './process.pipeline.js';
import { RecordProcessor } from './record-processor.js';
import { RecordTriggers } from './record.triggers.js';
import { TargetWriter } from './target/target-writer.js';

/** Pipeline 2 of the asynchronous model. Triggers: record.extracted and record.reprocess. */
@Module({
  imports: [PipelineModule.register(processPipeline), ImportFlowModule],
  controllers: [RecordTriggers],
  providers: [RecordProcessor, TargetWriter, DeadLetteredRecords],
})
export class ProcessModule {}
