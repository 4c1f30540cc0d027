import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { DEAD_LETTER_CURSOR, EVENT_NAME, PIPELINE_NAME } from '../shared/identifiers.js';

const REASONS = [
  'malformed-envelope',
  'invalid-payload',
  'non-retriable',
  'max-deliveries',
] as const;

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

/** Which dead letters: all of these that are set must match. */
export class DeadLetterFilter {
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
  @ApiPropertyOptional({ enum: REASONS })
  @IsOptional()
  @IsIn(REASONS)
  reason?: (typeof REASONS)[number];
  @ApiPropertyOptional({ example: '2026-01-01T00:00:00Z', description: 'Dead at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;
  @ApiPropertyOptional({ example: '2026-12-31T23:59:59Z', description: 'Dead at or before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class DeadLetterQuery extends DeadLetterFilter {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 500,
    default: 100,
    description: 'How many matching dead letters to answer, newest first',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  @ApiPropertyOptional({
    example: '1764150000000-0~purchase.completed',
    description:
      'Where the previous page ended, `<id>~<event>`: the last dead letter\'s id and event, as two events\' dead letters may share an id. The `Link: <...>; rel="next"` header of an answer gives the next page whole. A bare `<id>` (earlier clients) goes on below that id, skipping any other letter of the same id',
  })
  @IsOptional()
  @Matches(DEAD_LETTER_CURSOR)
  @MaxLength(242)
  cursor?: string;
}

export class BulkReplayRequest {
  @ApiProperty({ type: DeadLetterFilter, description: 'The dead letters to replay, as they were' })
  @IsDefined()
  @ValidateNested()
  @Type(() => DeadLetterFilter)
  filter!: DeadLetterFilter;
}

export class BulkReplayResult {
  @ApiProperty({ example: 12, description: 'Dead letters delivered again' }) replayed!: number;
  @ApiProperty({
    example: 0,
    description:
      'Matching ones left as they were: not an event envelope, or replayed or deleted meanwhile',
  })
  skipped!: number;
  @ApiProperty({
    description:
      'Whether matching dead letters may remain: the request looked at its most and stopped',
  })
  more!: boolean;
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
