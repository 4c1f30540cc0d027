import { Module } from '@nestjs/common';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { ImportFlowModule } from '../../kernel/import-flow.module.js';
import { extractPipeline } from './extract.pipeline.js';
import { Extraction } from './extraction.js';
import { ExtractionResumer } from './extraction-resumer.js';
import { ExtractionSchedule } from './extraction-schedule.js';
import { ImportsController } from './imports.controller.js';
import { SourceReaders } from './sources/source-readers.js';

const triggers = [ImportsController];
const providers = [SourceReaders, Extraction, ExtractionResumer, ExtractionSchedule];

/** Pipeline 1 of the asynchronous model. Triggers: POST /api/v1/imports and a cron per source. */
@Module({
  imports: [PipelineModule.register(extractPipeline), ImportFlowModule],
  controllers: triggers,
  providers,
})
export class ExtractModule {}
