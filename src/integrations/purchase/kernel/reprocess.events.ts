import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { defineEvent, type EventDefinition } from '../../../platform/event-bus/index.js';
import { PurchaseCompleted } from './purchase-completed.event.js';

/**
 * Error treatment asks one pipeline to handle a purchase again. A dedicated event per
 * pipeline, so that reprocessing the receipt never reaches the bank notification.
 */
export class PurchaseReprocess {
  /** 1 for the first reprocessing; a failure reports it back so error treatment can stop. */
  @ApiProperty({ example: 1 }) @IsInt() @Min(1) attempt!: number;
  /** The error record that asked for it. */
  @ApiProperty() @IsString() @MaxLength(36) errorRecordId!: string;
  /** Id of the original `purchase.completed` event. */
  @ApiProperty() @IsString() @MaxLength(64) originalEventId!: string;
  @ApiProperty({ type: PurchaseCompleted })
  @ValidateNested()
  @Type(() => PurchaseCompleted)
  purchase!: PurchaseCompleted;
}

export const receiptRetry = defineEvent('purchase.receipt-retry', PurchaseReprocess);
export const notificationRetry = defineEvent('purchase.notification-retry', PurchaseReprocess);

/** The pipelines error treatment may ask to reprocess, and the event that reaches each. */
export const reprocessEvents: Readonly<Record<string, EventDefinition<PurchaseReprocess>>> =
  Object.freeze({
    'store-receipt': receiptRetry,
    'bank-notification': notificationRetry,
  });
