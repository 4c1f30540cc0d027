import {
  type CallHandler,
  type ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import type { AuthenticatedRequest } from '../../platform/auth/index.js';
import { flowContext } from '../../platform/event-bus/index.js';
import { AuditTrail } from './audit-trail.js';
import { AUDITED_METADATA, type AuditedAction } from './audited.constants.js';

/**
 * Writes an audit row for each call of an `@Audited()` route that passed authentication and
 * validation: `succeeded`, or `failed` with the status it failed with (404, 409, 500…). A
 * request refused as invalid attempted nothing and is not recorded. The row is written
 * before the answer leaves, so an action the caller saw succeed is always in the trail.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('AuditTrail');

  constructor(
    private readonly reflector: Reflector,
    private readonly trail: AuditTrail,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const audited = this.reflector.get<AuditedAction | undefined>(
      AUDITED_METADATA,
      context.getHandler(),
    );
    if (!audited || context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    // The status the route answers with once it succeeds (set on the response only later).
    const successStatus =
      this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ??
      (req.method === 'POST' ? 201 : 200);
    const write = (outcome: 'succeeded' | 'failed', statusCode: number) =>
      this.write(req, audited, outcome, statusCode).catch((error: unknown) => {
        // An action that happened must not be reported as failed because its audit row was not written.
        this.logger.error(`could not record ${audited.action}: ${(error as Error).message}`);
      });
    return next.handle().pipe(
      mergeMap((value) => from(write('succeeded', successStatus).then(() => value))),
      catchError((error: unknown) => {
        const status = error instanceof HttpException ? error.getStatus() : 500;
        if (status === 400 || status === 401 || status === 403) return throwError(() => error);
        return from(write('failed', status)).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }

  private async write(
    req: Request & AuthenticatedRequest,
    audited: AuditedAction,
    outcome: 'succeeded' | 'failed',
    statusCode: number,
  ) {
    if (!req.principal) return;
    const param = audited.targetParam ? req.params[audited.targetParam] : undefined;
    await this.trail.record({
      principal: req.principal,
      action: audited.action,
      targetType: audited.targetType,
      targetId: typeof param === 'string' ? param : undefined,
      outcome,
      statusCode,
      details: req.body as unknown,
      correlationId: flowContext.current()?.correlationId ?? 'unknown',
      clientAddress: req.ip,
    });
  }
}
