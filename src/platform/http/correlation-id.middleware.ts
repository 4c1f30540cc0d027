import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { flowContext } from '../event-bus/flow-context.js';

export const CORRELATION_ID_HEADER = 'x-correlation-id';
const REQUEST_ID_HEADER = 'x-request-id';
/** Ids from outside are echoed into logs and events: keep them short and plain. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Starts a flow for each REST call: the caller's `X-Correlation-Id` (or the gateway's
 * `X-Request-Id`) when it is a plausible id, a new one otherwise. Every event published
 * while serving the request carries it; the response echoes it.
 */
export function correlationIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header(CORRELATION_ID_HEADER) ?? req.header(REQUEST_ID_HEADER);
  const correlationId = incoming && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(CORRELATION_ID_HEADER, correlationId);
  flowContext.run({ correlationId, hops: 0 }, next);
}
