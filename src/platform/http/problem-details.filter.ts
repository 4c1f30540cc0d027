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
import { type Outage, OUTAGE_RETRY_MS, outageOf } from '../reliability/outage.js';
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
 * (HttpExceptions, the body parser's) keep their message; an outage of the database or
 * broker (see `outageOf`) is answered 503 with `Retry-After`; anything else is logged with its
 * stack and answered 500. Neither says more than what failed: no stack trace, SQL or internal
 * detail ever reaches a client.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    this.answer(exception, http.getRequest<Request>(), http.getResponse<Response>());
  }

  /** Answers `request` with the problem `exception` makes: also outside Nest's routing. */
  answer(exception: unknown, request: Request, response: Response): void {
    const outage = statusOf(exception) === undefined ? outageOf(exception) : undefined;
    const problem = outage
      ? this.outageProblem(outage, request)
      : this.toProblem(exception, request);
    if (response.headersSent) return;
    if (outage) response.setHeader('Retry-After', String(OUTAGE_RETRY_MS / 1000));
    response.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  /** 503: the request may succeed as it is once the dependency answers again. */
  private outageProblem(outage: Outage, request: Request): ProblemDetails {
    const base = baseOf(request);
    // Expected while it lasts: one line per request, without the stack.
    this.logger.warn(
      `${request.method} ${base.instance}: the ${outage.dependency} does not answer (${outage.cause}) [correlationId=${base.correlationId}]`,
    );
    const code = HttpStatus.SERVICE_UNAVAILABLE;
    const detail = `the ${outage.dependency} does not answer; try again in a few seconds`;
    return { type: 'about:blank', title: titleOf(code), status: code, detail, ...base };
  }

  private toProblem(exception: unknown, request: Request): ProblemDetails {
    const base = baseOf(request);
    const { correlationId } = base;
    const status = statusOf(exception);
    if (status === undefined) {
      this.logger.error(
        `${request.method} ${pathOf(request)} failed [correlationId=${correlationId}]`,
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

/** Where every problem body says it happened, and in which flow. */
const pathOf = (request: Request): string => request.originalUrl.split('?')[0]!;

/** What every problem says of its request: the URL the caller used (through the gateway's prefix) and its flow. */
function baseOf(request: Request): { instance: string; correlationId?: string } {
  return {
    instance: publicUrl(request, pathOf(request)),
    correlationId: flowContext.current()?.correlationId ?? correlationIdOf(request),
  };
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
