import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ConsumerGroupState } from '../events/events.dto.js';

export class TriggerView {
  @ApiProperty({ example: 'purchase.completed' }) event!: string;
  @ApiProperty({ example: 'PurchaseCompletedTrigger.onPurchase' }) handler!: string;
  @ApiProperty({ example: 5, description: 'As the trigger declares it, else bus.maxDeliveries' })
  maxDeliveries!: number;

  @ApiProperty({ example: 16, description: 'As the trigger declares it, else bus.concurrency' })
  concurrency!: number;

  @ApiPropertyOptional({
    example: 500,
    description:
      'Set for a batch trigger: the most events its handler takes at once (its concurrency, else bus.concurrency, when it declares none)',
  })
  batchSize?: number;
}

export class SubscriptionView extends ConsumerGroupState {
  @ApiProperty({ example: 'purchase.completed' }) event!: string;
}

export class PipelineView {
  @ApiProperty({ example: 'store-receipt' }) name!: string;
  @ApiPropertyOptional({
    example: 'subscriber',
    description: 'Absent for a pipeline seen only on the broker (run by another process)',
  })
  role?: string;
  @ApiPropertyOptional({ example: 'E-mails the receipt of each purchase' }) description?: string;
  @ApiProperty({ description: 'Whether this process runs the pipeline' }) runsHere!: boolean;
  @ApiProperty({ description: 'Paused pipelines take no new events; they wait in the stream' })
  paused!: boolean;
  @ApiProperty({ type: [TriggerView] }) triggers!: TriggerView[];
  @ApiProperty({ type: [String], example: ['purchase.flow-error'] }) publishes!: string[];
  @ApiProperty({ type: [SubscriptionView] }) subscriptions!: SubscriptionView[];
  @ApiProperty({
    example: 2,
    description: 'Consumers that read within bus.claimIdleMs: the live replicas',
  })
  liveInstances!: number;
}

export class TopologyPipeline {
  @ApiProperty({ example: 'purchases' }) name!: string;
  @ApiProperty({ example: 'business-rule' }) role!: string;
}

export class TopologyEvent {
  @ApiProperty({ example: 'purchase.completed' }) name!: string;
  @ApiProperty({ type: [String], example: ['purchases'] }) publishers!: string[];
  @ApiProperty({ type: [String], example: ['store-receipt'] }) subscribers!: string[];
}

export class TopologyView {
  @ApiProperty({ type: [TopologyPipeline] }) pipelines!: TopologyPipeline[];
  @ApiProperty({ type: [TopologyEvent] }) events!: TopologyEvent[];
}

export class PausedView {
  @ApiProperty({ example: 'store-receipt' }) pipeline!: string;
  @ApiProperty() paused!: boolean;
}
