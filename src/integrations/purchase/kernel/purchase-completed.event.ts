import { ApiProperty } from '@nestjs/swagger';
import {
  IsEmail,
  IsInt,
  IsISO8601,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { defineEvent } from '../../../platform/event-bus/index.js';

/** A recorded purchase, as every subscriber of the flow receives it. */
export class PurchaseCompleted {
  @ApiProperty({ format: 'uuid' }) @IsUUID() purchaseId!: string;
  @ApiProperty({ example: 'tok_visa_4242' }) @IsString() @MaxLength(64) cardToken!: string;
  @ApiProperty({ description: 'Minor units (cents)', example: 1250 })
  @IsInt()
  @Min(1)
  amount!: number;
  @ApiProperty({ example: 'EUR' }) @Matches(/^[A-Z]{3}$/) currency!: string;
  @ApiProperty({ example: 'corner-books' }) @IsString() @MaxLength(64) merchantId!: string;
  @ApiProperty({ example: 'Corner Books' }) @IsString() @MaxLength(200) merchantName!: string;
  @ApiProperty({ example: 'ada@example.com' }) @IsEmail() purchaserEmail!: string;
  @ApiProperty() @IsISO8601() purchasedAt!: string;
}

/** Published by `purchases` once a purchase is recorded; its subscribers never know it. */
export const purchaseCompleted = defineEvent('purchase.completed', PurchaseCompleted);
