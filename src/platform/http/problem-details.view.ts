import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorView {
  @ApiProperty({ example: 'amount' }) field!: string;
  @ApiProperty({ example: 'amount must not be less than 1' }) message!: string;
}

/** The API's error body (RFC 9457 problem details), as `ProblemDetailsFilter` writes it; for Swagger. */
export class ProblemDetailsView {
  @ApiProperty({ example: 'about:blank' }) type!: string;
  @ApiProperty({ example: 'Unprocessable Entity' }) title!: string;
  @ApiProperty({ example: 422 }) status!: number;
  @ApiPropertyOptional({ example: "the amount is above the card's available credit" })
  detail?: string;
  @ApiPropertyOptional({ example: '/api/v1/purchases' }) instance?: string;
  @ApiPropertyOptional({
    description: 'Stable reason for clients to branch on',
    example: 'over-limit',
  })
  code?: string;
  @ApiPropertyOptional({ example: 'c0ffee-42' }) correlationId?: string;
  @ApiPropertyOptional({ type: [FieldErrorView], description: 'The fields at fault' })
  errors?: FieldErrorView[];
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
};

/** An example problem body for the Swagger document. */
export function problemExample(
  status: number,
  detail: string,
  code?: string,
  errors?: FieldErrorView[],
  instance = '/api/v1/purchases',
) {
  return {
    type: 'about:blank',
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance,
    ...(code ? { code } : {}),
    correlationId: 'c0ffee-42',
    ...(errors ? { errors } : {}),
  };
}
