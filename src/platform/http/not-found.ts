import { Injectable, NotFoundException, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/**
 * Makes every path nothing answers a 404 problem, like the API's own. Nest mounts its
 * not-found handler under the global prefix only, so a path outside it (`/nope`,
 * `/console-x`, a wrong method on `/health/live`) fell through to Express's HTML "Cannot GET"
 * page. The handler must come after every route and Nest's own handlers, which `init()` adds
 * just before it runs the bootstrap hooks: it is appended then.
 */
@Injectable()
export class UnmatchedPaths implements OnApplicationBootstrap {
  constructor(private readonly host: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const filter = new ProblemDetailsFilter();
    this.host.httpAdapter.use((request: Request, response: Response, _next: NextFunction) =>
      filter.answer(
        new NotFoundException(`Cannot ${request.method} ${request.originalUrl}`),
        request,
        response,
      ),
    );
  }
}
