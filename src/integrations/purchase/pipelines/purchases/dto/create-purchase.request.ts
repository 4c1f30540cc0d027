import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** A card purchase as the caller submits it. Amounts are integers in minor units (cents). */
export class CreatePurchaseRequest {
  @ApiProperty({
    description: 'Token of the card, never its number',
    example: 'tok_demo_visa_0001',
    pattern: '^[A-Za-z0-9_-]{8,64}$',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, {
    message: 'cardToken must be 8 to 64 letters, digits, _ or -',
  })
  cardToken!: string;

  @ApiProperty({
    description: 'Amount in minor units of the currency (1250 = 12.50)',
    example: 1250,
    minimum: 1,
    maximum: 100_000_000,
  })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  amount!: number;

  @ApiProperty({ description: 'ISO 4217 code, upper case', example: 'EUR', pattern: '^[A-Z]{3}$' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency!: string;

  @ApiProperty({ example: 'corner-books', pattern: '^[a-z0-9-]{1,64}$' })
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/, {
    message: 'merchantId must be 1 to 64 lower-case letters, digits or dashes',
  })
  merchantId!: string;

  @ApiProperty({ example: 'Corner Books', maxLength: 200 })
  @IsString()
  @Matches(/\S/, { message: 'merchantName must not be blank' })
  @MaxLength(200)
  merchantName!: string;

  @ApiProperty({
    description: 'Where the store e-mails the receipt',
    example: 'ada@example.com',
    maxLength: 254,
  })
  @IsEmail()
  @MaxLength(254)
  purchaserEmail!: string;
}
