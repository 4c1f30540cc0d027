import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CreatePurchaseRequest } from './dto/create-purchase.request.js';
import { publicUrl, ProblemDetailsView, problemExample } from '../../../../platform/http/index.js';
import { PurchaseView } from './dto/purchase.view.js';
import { PurchaseService } from './purchase.service.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

const purchaseExample = {
  id: '0b7c4d0e-3f57-4c43-9b53-8f0b8a3f2c11',
  cardToken: 'tok_demo_visa_0001',
  amount: 1250,
  currency: 'EUR',
  merchantId: 'corner-books',
  merchantName: 'Corner Books',
  purchaserEmail: 'ada@example.com',
  status: 'completed',
  correlationId: 'c0ffee-42',
  purchasedAt: '2026-11-26T10:00:00.512Z',
  deliveries: {
    notification: {
      status: 'pending',
      attempts: 0,
      lastError: null,
      reference: null,
      sentAt: null,
    },
    receipt: { status: 'pending', attempts: 0, lastError: null, reference: null, sentAt: null },
  },
};

/** REST trigger of the `purchases` pipeline: the synchronous model's immediate confirmation. */
@ApiTags('purchases')
@ApiExtraModels(ProblemDetailsView)
@Controller('purchases')
export class PurchasesController {
  constructor(private readonly purchases: PurchaseService) {}

  @Post()
  @ApiOperation({
    summary: 'Make a card purchase',
    description:
      'Checks the business rules (known and active card, currency, merchant fraud threshold, available credit), ' +
      'records the purchase and answers at once; then publishes `purchase.completed`, on which the bank notification ' +
      'and the store receipt are sent. An `Idempotency-Key` makes retries safe.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Up to 128 letters, digits, `_ . : -`. The same key and body give the same answer and no second purchase, ' +
      'for 24 hours from the first request by default (`purchaseFlow.idempotencyRetentionMs`); then the key is new. ' +
      'Make a fresh one for each purchase (a UUID, say): no example is filled in, as a shared key would make ' +
      'every purchase after the first a replay or a 422.',
  })
  @ApiHeader({
    name: 'X-Correlation-Id',
    required: false,
    description: 'Id of the flow; echoed, and carried by every event',
  })
  @ApiBody({
    type: CreatePurchaseRequest,
    examples: {
      purchase: {
        value: {
          cardToken: 'tok_demo_visa_0001',
          amount: 1250,
          currency: 'EUR',
          merchantId: 'corner-books',
          merchantName: 'Corner Books',
          purchaserEmail: 'ada@example.com',
        },
      },
    },
  })
  @ApiCreatedResponse({
    type: PurchaseView,
    description: 'Recorded; `Idempotent-Replayed: true` when it is a stored answer',
    example: purchaseExample,
  })
  @ApiBadRequestResponse({
    type: ProblemDetailsView,
    description:
      'Malformed JSON, missing, mistyped or unknown fields, or a malformed Idempotency-Key',
    example: problemExample(400, 'the request is not valid', 'validation-failed', [
      { field: 'amount', message: 'amount must not be less than 1' },
    ]),
  })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetailsView,
    description:
      'Refused by a business rule (`card-unknown`, `card-blocked`, `currency-mismatch`, `fraud-suspected`, `over-limit`), ' +
      'or an Idempotency-Key reused with another body (`idempotency-key-reused`). Nothing is recorded.',
    example: problemExample(422, "the amount is above the card's available credit", 'over-limit'),
  })
  @ApiConflictResponse({
    type: ProblemDetailsView,
    description:
      'A request with the same Idempotency-Key is still being processed (`idempotency-key-in-use`)',
    example: problemExample(
      409,
      'a request with this Idempotency-Key is still being processed; retry later',
      'idempotency-key-in-use',
    ),
  })
  @ApiPayloadTooLargeResponse({
    type: ProblemDetailsView,
    description: 'The body is above `http.bodyLimit`',
  })
  @ApiInternalServerErrorResponse({
    type: ProblemDetailsView,
    description:
      'Unexpected failure (database down): logged and published as a `purchase-flow.error` event',
  })
  async create(
    @Body() request: CreatePurchaseRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PurchaseView> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException({
        message: 'the request is not valid',
        code: 'validation-failed',
        errors: [
          {
            field: 'Idempotency-Key',
            message: 'Idempotency-Key must be 1 to 128 letters, digits, _ . : or -',
          },
        ],
      });
    }
    const answer = await this.purchases.create(request, idempotencyKey);
    response.status(answer.status);
    if (answer.replayed) response.setHeader('Idempotent-Replayed', 'true');
    const path = response.req.originalUrl.split('?')[0]!.replace(/\/$/, '');
    response.setHeader('Location', publicUrl(response.req, `${path}/${answer.body.id}`));
    return answer.body;
  }

  @Get(':id')
  @ApiOperation({ summary: 'A purchase, with the delivery status of its notification and receipt' })
  @ApiOkResponse({
    type: PurchaseView,
    example: {
      ...purchaseExample,
      deliveries: {
        notification: {
          status: 'failed',
          attempts: 4,
          lastError: 'notification service answered 503',
          reference: null,
          sentAt: null,
        },
        receipt: {
          status: 'sent',
          attempts: 1,
          lastError: null,
          reference: '<a1b2@tributary>',
          sentAt: '2026-11-26T10:00:01.204Z',
        },
      },
    },
  })
  @ApiBadRequestResponse({
    type: ProblemDetailsView,
    description: 'The id is not a UUID',
    example: problemExample(400, 'Validation failed (uuid is expected)'),
  })
  @ApiNotFoundResponse({
    type: ProblemDetailsView,
    description: 'No purchase has this id',
    example: problemExample(
      404,
      'no purchase has id 0b7c4d0e-3f57-4c43-9b53-8f0b8a3f2c11',
      'purchase-not-found',
    ),
  })
  @ApiInternalServerErrorResponse({
    type: ProblemDetailsView,
    description: 'Unexpected failure (database down)',
  })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<PurchaseView> {
    return this.purchases.get(id);
  }
}
