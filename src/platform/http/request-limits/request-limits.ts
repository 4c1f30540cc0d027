import {
  BadRequestException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { truncate } from '../../text/truncate.js';
import type { HttpConfig } from '../http.config.js';
import { type ExceededLimit, exceededLimit } from './body-shape.js';

const WHAT: Record<string, string> = {
  maxDepth: 'nests objects and arrays deeper than',
  maxArrayLength: 'has an array longer than',
  maxKeys: 'has an object with more properties than',
};

/**
 * Parses JSON bodies and bounds them before any transformation (validation, class-transformer,
 * a handler): the size (`http.bodyLimit`, 413) while reading, then the shape (`http.limits`:
 * depth, array length, keys per object; 400). A body of any other media type is refused with
 * a 415: no route reads one, and an unparsed body would reach validation as nothing at all.
 * Each refusal is a problem naming the limit and its key.
 */
export function useRequestLimits(app: NestExpressApplication, http: HttpConfig): void {
  app.use(refuseOtherMediaTypes);
  app.useBodyParser('json', { limit: http.bodyLimit });
  app.use((error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    const tooLarge = (error as { type?: string } | null)?.type === 'entity.too.large';
    next(
      tooLarge
        ? new PayloadTooLargeException({
            message: `the body is larger than http.bodyLimit (${http.bodyLimit})`,
            code: 'body-too-large',
          })
        : error,
    );
  });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const exceeded = exceededLimit(req.body, http.limits);
    next(exceeded ? refusal(exceeded) : undefined);
  });
}

function refusal(exceeded: ExceededLimit): BadRequestException {
  const at = truncate(exceeded.at, 120, '...');
  if (exceeded.limit === 'unicode')
    return new BadRequestException({
      message: `the body holds text that is not well-formed Unicode (a lone surrogate), at ${at}`,
      code: 'body-malformed-text',
    });
  if (exceeded.limit === 'prototype')
    return new BadRequestException({
      message: `the body holds a key that would reach an object's prototype, at ${at}`,
      code: 'body-forbidden-key',
    });
  return new BadRequestException({
    message: `the body ${WHAT[exceeded.limit]} http.limits.${exceeded.limit} (${exceeded.value}), at ${at}`,
    code: 'body-limit-exceeded',
  });
}

function refuseOtherMediaTypes(req: Request, _res: Response, next: NextFunction): void {
  const hasBody =
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? 0) > 0;
  if (!hasBody || req.is('application/json')) return next();
  next(
    new UnsupportedMediaTypeException({
      message: 'a request body must be JSON (Content-Type: application/json)',
      code: 'unsupported-media-type',
    }),
  );
}
