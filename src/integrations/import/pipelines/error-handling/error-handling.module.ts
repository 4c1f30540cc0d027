import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ErrorRecord, ErrorStoreModule } from '../../../../platform/error-store/index.js';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { AlertDispatcher } from './alert-dispatcher.js';
import { errorHandlingPipeline } from './error-handling.pipeline.js';
import { ImportErrorTrigger } from './import-error.trigger.js';

/** Pipeline 4 of the asynchronous model. Triggers: import.error, and a schedule for the aggregated alerts. */
@Module({
  imports: [
    PipelineModule.register(errorHandlingPipeline),
    ErrorStoreModule,
    // Records of one alert are marked together, by fingerprint, which ErrorStore does not offer.
    TypeOrmModule.forFeature([ErrorRecord]),
  ],
  controllers: [ImportErrorTrigger],
  providers: [AlertDispatcher],
})
export class ErrorHandlingModule {}
