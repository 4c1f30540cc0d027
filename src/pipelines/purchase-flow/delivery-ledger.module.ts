import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryLedger } from './delivery-ledger.js';
import { PurchaseDelivery } from './purchase-delivery.entity.js';

/** The delivery ledger, shared by `purchases` (which creates and shows it) and the subscriber pipelines (which write it). */
@Module({
  imports: [TypeOrmModule.forFeature([PurchaseDelivery])],
  providers: [DeliveryLedger],
  exports: [DeliveryLedger],
})
export class DeliveryLedgerModule {}
