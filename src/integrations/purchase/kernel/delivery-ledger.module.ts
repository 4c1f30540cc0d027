import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BackgroundWrites } from '../../../platform/persistence/index.js';
import { DeliveryLedger } from './delivery-ledger.js';
import { PurchaseDelivery } from './purchase-delivery.entity.js';
import { UnrecordedSends } from './unrecorded-sends.js';

/**
 * The delivery ledger, shared by `purchases` (which creates and shows it) and the subscriber
 * pipelines (which write it, and remember here what they sent but could not record yet).
 */
@Module({
  imports: [TypeOrmModule.forFeature([PurchaseDelivery])],
  providers: [DeliveryLedger, BackgroundWrites, UnrecordedSends],
  exports: [DeliveryLedger, UnrecordedSends],
})
export class DeliveryLedgerModule {}
