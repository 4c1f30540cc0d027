import type { Server } from 'node:http';
import {
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  ServiceUnavailableException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { OUTAGE_RETRY_MS } from '../reliability/outage.js';

/**
 * Stops taking HTTP work as soon as the application begins to shut down: in `onModuleDestroy`,
 * the first hook of Nest's shutdown, before the event bus drains (`beforeApplicationShutdown`)
 * and long before Nest closes the HTTP server. The listener closes, idle kept-alive connections
 * close, and a request arriving on a connection still open is answered 503 problem details with
 * `Retry-After` and `Connection: close`, so that its caller goes elsewhere and the connection
 * ends. Without it, callers that keep their connections busy (a load balancer's, any client
 * with keep-alive) kept the process alive past any timeout: Node's `server.close()` waits for
 * every connection to end, and each new request kept one busy.
 */
@Injectable()
export class ShutdownGate implements OnApplicationBootstrap, OnModuleDestroy {
  private closing = false;
  /** Requests let through and not answered yet. */
  private inFlight = 0;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * Middleware ahead of all the app's work (`createApp`): lets requests through until
   * shutdown begins.
   */
  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.closing) {
      res.setHeader('Connection', 'close');
      res.setHeader('Retry-After', String(OUTAGE_RETRY_MS / 1000));
      next(
        new ServiceUnavailableException({
          message: 'this instance is shutting down; try again',
          code: 'shutting-down',
        }),
      );
      return;
    }
    this.inFlight++;
    res.once('close', () => {
      this.inFlight--;
      // Its connection goes idle: with the listener closed, nothing else would end it.
      if (this.closing && this.inFlight === 0) this.server()?.closeIdleConnections();
    });
    next();
  };

  /** An application closed and started again in the same process takes work again. */
  onApplicationBootstrap(): void {
    this.closing = false;
  }

  onModuleDestroy(): void {
    this.closing = true;
    const server = this.server();
    // Nest's own close comes later, and still waits for the connections open now to end.
    if (server?.listening) server.close();
    server?.closeIdleConnections();
  }

  private server(): Server | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
  }
}
