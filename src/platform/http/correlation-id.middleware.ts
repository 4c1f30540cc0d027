import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { flowContext } from '../event-bus/flow-context.js';

export const CORRELATION_ID_HEADER = 'x-correlation-id';
export const REQUEST_ID_HEADER = 'x-request-id';
/** The ids a browser may read from an answer when CORS is on. */
export const CORRELATION_HEADERS = ['X-Correlation-Id', 'X-Request-Id'];
/** Ids from outside are echoed into logs and events: keep them short and plain. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** One owner: `correlationHeaders` decides each request's id, the rest reads it. */
const ids = new WeakMap<Request, string>();

/**
 * First of the middleware: the caller's `X-Correlation-Id` (or the gateway's `X-Request-Id`)
 * when it is a plausible id, a new one otherwise. The answer echoes it as `X-Correlation-Id`,
 * and the gateway's `X-Request-Id` under its own name, so the gateway's logs and ours meet,
 * even for a request refused while its body is read.
 */
export function correlationHeaders(req: Request, res: Response, next: NextFunction): void {
  const requestId = plausible(req.header(REQUEST_ID_HEADER));
  const correlationId = plausible(req.header(CORRELATION_ID_HEADER)) ?? requestId ?? randomUUID();
  ids.set(req, correlationId);
  res.setHeader(CORRELATION_ID_HEADER, correlationId);
  if (requestId) res.setHeader(REQUEST_ID_HEADER, requestId);
  next();
}

/** The correlation id `correlationHeaders` gave the request. */
export function correlationIdOf(req: Request): string | undefined {
  return ids.get(req);
}

/**
 * Starts a flow for each REST call with its correlation id: every event published while
 * serving it carries the id. Applied after the body is read, as the body parser's stream
 * callbacks would not carry the flow.
 */
export function correlationIdMiddleware(req: Request, _res: Response, next: NextFunction): void {
  flowContext.run({ correlationId: ids.get(req) ?? randomUUID(), hops: 0 }, next);
}

function plausible(id: string | undefined): string | undefined {
  return id !== undefined && ACCEPTABLE_ID.test(id) ? id : undefined;
}
