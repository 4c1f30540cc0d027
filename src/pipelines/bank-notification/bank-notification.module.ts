import { Module } from '@nestjs/common';
import { PipelineModule } from '../../platform/pipeline/index.js';
import { ChannelDelivery } from '../purchase-flow/channel-delivery.js';
import { DeliveryLedgerModule } from '../purchase-flow/delivery-ledger.module.js';
import { FlowErrorReporter } from '../purchase-flow/flow-error-reporter.js';
import { bankNotificationPipeline } from './bank-notification.pipeline.js';
import { BankNotificationTrigger } from './bank-notification.trigger.js';
import { NotificationServiceClient } from './notification-service.client.js';

@Module({
  imports: [PipelineModule.register(bankNotificationPipeline), DeliveryLedgerModule],
  controllers: [BankNotificationTrigger],
  providers: [ChannelDelivery, FlowErrorReporter, NotificationServiceClient],
})
export class BankNotificationModule {}
