import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { flowContext } from '../event-bus/flow-context.js';
import { correlationIdOf } from './correlation-id.middleware.js';
import { publicUrl } from './gateway/public-base.js';
import { PROBLEM_CONTENT_TYPE, type FieldError, type ProblemDetails } from './problem-details.js';

/** Thrown errors may carry these to shape the problem body. */
export interface ProblemExtras {
  code?: string;
  errors?: FieldError[];
}

/**
 * Turns every error of an HTTP request into problem details. Errors raised on purpose
 * (HttpExceptions, the body parser's) keep their message; anything else is logged with its
 * stack and answered 500 with nothing of its message: no stack trace, SQL or internal
 * detail ever reaches a client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception, request);
    if (response.headersSent) return;
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, request: Request): ProblemDetails {
    const correlationId = flowContext.current()?.correlationId ?? correlationIdOf(request);
    const path = request.originalUrl.split('?')[0]!;
    // The URL the caller used, through the gateway's prefix.
    const base = { instance: publicUrl(request, path), correlationId };
    const status = statusOf(exception);
    if (status === undefined) {
      this.logger.error(
        `${request.method} ${path} failed [correlationId=${correlationId}]`,
        exception instanceof Error ? exception.stack : String(exception),
      );
      const code = HttpStatus.INTERNAL_SERVER_ERROR;
      return { type: 'about:blank', title: titleOf(code), status: code, ...base };
    }
    // From here on the error was raised on purpose, with a message meant for the caller.
    const body = exception instanceof HttpException ? exception.getResponse() : undefined;
    const extras = (typeof body === 'object' && body !== null ? body : {}) as ProblemExtras & {
      message?: unknown;
    };
    const detail =
      typeof body === 'string'
        ? body
        : typeof extras.message === 'string'
          ? extras.message
          : (exception as Error).message;
    return {
      type: 'about:blank',
      title: titleOf(status),
      status,
      detail,
      ...(extras.code ? { code: extras.code } : {}),
      ...(extras.errors ? { errors: extras.errors } : {}),
      ...base,
    };
  }
}

/** HttpExceptions and the http-errors of Express's body parser (too large, malformed JSON). */
function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const candidate = exception as { status?: unknown; expose?: unknown };
  if (typeof candidate?.status === 'number' && candidate.expose === true) return candidate.status;
  return undefined;
}

function titleOf(status: number): string {
  const name = HttpStatus[status];
  if (!name) return 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
}
