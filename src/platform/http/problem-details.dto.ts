import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'limit' }) field!: string;
  @ApiProperty({ example: 'limit must not be greater than 500' }) message!: string;
}

/** The one error body of the API (RFC 9457), as the OpenAPI document shows it. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'about:blank' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiPropertyOptional({ example: 'the request is not valid' }) detail?: string;
  @ApiPropertyOptional({ example: '/api/v1/admin/errors' }) instance?: string;
  @ApiPropertyOptional({
    description: 'Stable reason for clients to branch on',
    example: 'validation-failed',
  })
  code?: string;
  @ApiPropertyOptional({ example: '5b0c8e0e-8f0e-4c51-9d1e-0f3c2f9b7a11' }) correlationId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto] }) errors?: FieldErrorDto[];
}
