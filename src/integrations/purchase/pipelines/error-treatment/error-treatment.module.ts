import { Module } from '@nestjs/common';
import { ErrorStoreModule } from '../../../../platform/error-store/index.js';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { AlertSender } from './alert-sender.js';
import { errorTreatmentPipeline } from './error-treatment.pipeline.js';
import { ErrorTreatmentService } from './error-treatment.service.js';
import { ErrorTreatmentTrigger } from './error-treatment.trigger.js';

@Module({
  imports: [PipelineModule.register(errorTreatmentPipeline), ErrorStoreModule],
  controllers: [ErrorTreatmentTrigger],
  providers: [ErrorTreatmentService, AlertSender],
})
export class ErrorTreatmentModule {}
