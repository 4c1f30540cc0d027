import { Module } from '@nestjs/common';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { ChannelDelivery } from '../../kernel/channel-delivery.js';
import { DeliveryLedgerModule } from '../../kernel/delivery-ledger.module.js';
import { FlowErrorReporter } from '../../kernel/flow-error-reporter.js';
import { bankNotificationPipeline } from './bank-notification.pipeline.js';
import { BankNotificationTrigger } from './bank-notification.trigger.js';
import { NotificationServiceClient } from './notification-service.client.js';

@Module({
  imports: [PipelineModule.register(bankNotificationPipeline), DeliveryLedgerModule],
  controllers: [BankNotificationTrigger],
  providers: [ChannelDelivery, FlowErrorReporter, NotificationServiceClient],
})
export class BankNotificationModule {}
