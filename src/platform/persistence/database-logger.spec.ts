import { Logger, type LoggerService } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseLogger } from './database-logger.js';

/** Every line the app's logger received, with its level. */
function captureLogs(): { level: string; message: string }[] {
  const lines: { level: string; message: string }[] = [];
  const record =
    (level: string) =>
    (message: unknown): void => {
      lines.push({ level, message: String(message) });
    };
  const capture: LoggerService = {
    log: record('log'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
  };
  Logger.overrideLogger(capture);
  return lines;
}

const statement = 'UPDATE import_records SET state = ? WHERE record_key IN (?, ?)';
const parameters = ['succeeded', 'ada.lovelace@example.com', 'secret-token'];

describe('DatabaseLogger', () => {
  let lines: { level: string; message: string }[];
  beforeEach(() => (lines = captureLogs()));
  afterEach(() => Logger.overrideLogger(['error', 'warn']));

  it('logs a failed statement as an error, without its parameters', () => {
    const error = Object.assign(new Error("Table 'test.nope' doesn't exist"), { errno: 1146 });
    new DatabaseLogger(false).logQueryError(error, statement, parameters);
    expect(lines).toEqual([
      {
        level: 'error',
        message: `query failed: Table 'test.nope' doesn't exist; ${statement}`,
      },
    ]);
  });

  it('logs a deadlock or lock timeout as a warning: retryOnDeadlock runs the statement again', () => {
    const logger = new DatabaseLogger(false);
    for (const errno of [1213, 1205]) {
      const error = Object.assign(new Error('Deadlock found when trying to get lock'), {
        driverError: { errno },
      });
      logger.logQueryError(error, statement, parameters);
    }
    expect(lines.map((l) => l.level)).toEqual(['warn', 'warn']);
    expect(lines[0]!.message).toMatch(/^lock conflict \(the statement was rolled back\): Deadlock/);
  });

  it('never writes parameters, and shortens a long multi-row statement', () => {
    const long = `INSERT INTO t (a) VALUES ${Array.from({ length: 500 }, () => '(?)').join(', ')}`;
    const logger = new DatabaseLogger(true);
    logger.logQueryError('boom', long, parameters);
    logger.logQuery(statement, parameters);
    logger.logQuerySlow(1500, statement, parameters);
    const text = lines.map((l) => l.message).join('\n');
    for (const value of parameters.slice(1)) expect(text).not.toContain(value);
    expect(lines[0]!.message.length).toBeLessThan(400);
    expect(lines[0]!.message.endsWith('…')).toBe(true);
    expect(lines.map((l) => l.level)).toEqual(['error', 'debug', 'warn']);
  });

  it('logs queries only when database logging is on', () => {
    new DatabaseLogger(false).logQuery(statement, parameters);
    new DatabaseLogger(false).logSchemaBuild('creating table');
    expect(lines).toEqual([]);
  });
});
