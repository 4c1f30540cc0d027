import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'typeorm';
import { truncate } from '../text/truncate.js';
import { isLockConflict } from './retry-on-deadlock.js';

/** Longest statement text a log line carries: multi-row batches run to hundreds of kilobytes. */
const MAX_STATEMENT = 300;

/**
 * TypeORM's log lines through the app's logger (JSON, with the flow's ids), instead of its
 * console logger. A statement's parameters are never logged: they hold the records and the
 * people in them. A lock conflict is a warning, not an error: InnoDB rolled the statement back,
 * the bulk statements that meet in busy index ranges run it again (`retryOnDeadlock`), and
 * otherwise the caller's own retry (the bus redelivers) heals it: nothing to page for.
 */
export class DatabaseLogger implements Logger {
  private readonly logger = new NestLogger('Database');

  constructor(private readonly verbose: boolean) {}

  // `_parameters` is taken (TypeORM passes it) and never written anywhere.
  logQuery(query: string, _parameters?: unknown): void {
    if (this.verbose) this.logger.debug(`query: ${shorten(query)}`);
  }

  logQueryError(error: string | Error, query: string, _parameters?: unknown): void {
    const message = typeof error === 'string' ? error : error.message;
    if (isLockConflict(error)) {
      this.logger.warn(
        `lock conflict (the statement was rolled back): ${message}; ${shorten(query)}`,
      );
    } else this.logger.error(`query failed: ${message}; ${shorten(query)}`);
  }

  logQuerySlow(time: number, query: string, _parameters?: unknown): void {
    this.logger.warn(`slow query (${time} ms): ${shorten(query)}`);
  }

  logSchemaBuild(message: string): void {
    if (this.verbose) this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else if (this.verbose) this.logger.log(String(message));
  }
}

function shorten(query: string): string {
  const flat = query.replace(/\s+/g, ' ').trim();
  return truncate(flat, MAX_STATEMENT, '…');
}
