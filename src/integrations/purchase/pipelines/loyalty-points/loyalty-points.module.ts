import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HandledKeysModule } from '../../../../platform/handled-keys/index.js';
import { PipelineModule } from '../../../../platform/pipeline/index.js';
import { LoyaltyBalance } from './loyalty-balance.entity.js';
import { LoyaltyLedger } from './loyalty-ledger.js';
import { loyaltyPointsPipeline } from './loyalty-points.pipeline.js';
import { LoyaltyPointsTrigger } from './loyalty-points.trigger.js';

@Module({
  imports: [
    PipelineModule.register(loyaltyPointsPipeline),
    TypeOrmModule.forFeature([LoyaltyBalance]),
    HandledKeysModule,
  ],
  controllers: [LoyaltyPointsTrigger],
  providers: [LoyaltyLedger],
})
export class LoyaltyPointsModule {}
