import { Module } from '@nestjs/common';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { ChannelDelivery } from '../../kernel/channel-delivery.js';
import { DeliveryLedgerModule } from '../../kernel/delivery-ledger.module.js';
import { FlowErrorReporter } from '../../kernel/flow-error-reporter.js';
import { ReceiptSender } from './receipt-sender.js';
import { StoreReceiptTrigger } from './store-receipt.trigger.js';
import { storeReceiptPipeline } from './store-receipt.pipeline.js';

@Module({
  imports: [PipelineModule.register(storeReceiptPipeline), DeliveryLedgerModule],
  controllers: [StoreReceiptTrigger],
  providers: [ChannelDelivery, FlowErrorReporter, ReceiptSender],
})
export class StoreReceiptModule {}
