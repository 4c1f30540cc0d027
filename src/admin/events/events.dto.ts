import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsInt,
  IsObject,
  IsOptional,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { EVENT_NAME, PIPELINE_NAME } from '../shared/identifiers.js';

export class ConsumerView {
  @ApiProperty({ example: 'host-1:4242:1f3a' }) name!: string;
  @ApiProperty({ example: 0 }) pending!: number;
  @ApiProperty({ example: 120 }) idleMs!: number;
}

/** Where one pipeline's consumer group stands on one event: seen from the event or the pipeline. */
export class ConsumerGroupState {
  @ApiProperty({ example: 2, description: 'Delivered and not yet acknowledged' }) pending!: number;
  @ApiProperty({
    example: 0,
    nullable: true,
    type: Number,
    description: 'Not yet read; null when the broker cannot tell',
  })
  lag!: number | null;
  @ApiProperty({ type: [ConsumerView] }) consumers!: ConsumerView[];
}

export class GroupView extends ConsumerGroupState {
  @ApiProperty({ example: 'store-receipt', description: 'The consumer group is the pipeline' })
  pipeline!: string;
}

export class EventView {
  @ApiProperty({ example: 'purchase.completed' }) name!: string;
  @ApiProperty({ type: [String], example: ['purchases'] }) publishers!: string[];
  @ApiProperty({ type: [String], example: ['store-receipt'] }) subscribers!: string[];
  @ApiProperty({ example: 1520, description: 'Events retained in the stream' }) length!: number;
  @ApiProperty({ type: [GroupView] }) groups!: GroupView[];
}

export class DeadLetterQuery {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 500,
    default: 100,
    description: 'How many of the newest dead letters to look at',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  @ApiPropertyOptional({ example: 'purchase.completed' })
  @IsOptional()
  @Matches(EVENT_NAME)
  @MaxLength(200)
  event?: string;
  @ApiPropertyOptional({ example: 'store-receipt' })
  @IsOptional()
  @Matches(PIPELINE_NAME)
  @MaxLength(100)
  pipeline?: string;
}

export class DeadLetterView {
  @ApiProperty({
    example: '1764150000000-0',
    description: 'Id of the dead-letter entry (not of the event)',
  })
  id!: string;
  @ApiProperty({ example: 'purchase.completed' }) event!: string;
  @ApiProperty({ example: 'store-receipt' }) pipeline!: string;
  @ApiProperty({
    enum: ['malformed-envelope', 'invalid-payload', 'non-retriable', 'max-deliveries'],
  })
  reason!: string;
  @ApiProperty({ example: 'Error: SMTP server refused the connection' }) error!: string;
  @ApiProperty({ example: 5 }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) deadAt!: string;
  @ApiProperty({
    description: 'The envelope as delivered; for a malformed one, the raw text',
    oneOf: [{ type: 'object' }, { type: 'string' }],
  })
  envelope!: unknown;
}

export class ReplayRequest {
  @ApiPropertyOptional({
    description: 'Replaces the payload; absent, the event is replayed as it was',
    example: { orderId: 'A-1', amount: 7 },
  })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;
}

export class PublishTestEventRequest {
  @ApiProperty({
    description: 'The payload, checked against the event contract when it is known',
    example: { orderId: 'A-1', amount: 7 },
  })
  @IsDefined()
  @IsObject()
  payload!: Record<string, unknown>;
}

export class PublishedView {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() correlationId!: string;
}
