import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { ErrorStore } from '../../src/platform/error-store/error-store.js';
import type { PipelineError } from '../../src/platform/error-store/pipeline-error.js';
import { createEnvelope } from '../../src/platform/event-bus/event-envelope.js';

/** Stores an error record the way error treatment does, through the error store. */
export async function seedError(
  app: NestExpressApplication,
  error: Partial<PipelineError> & { pipeline: string; code: string },
) {
  const payload: PipelineError = {
    message: `${error.code} in ${error.pipeline}`,
    correlationId: `corr-${error.code}`,
    retriable: true,
    occurredAt: new Date().toISOString(),
    ...error,
  };
  const { record } = await app
    .get(ErrorStore)
    .record(createEnvelope('test.flow-error', payload, error.pipeline));
  return record;
}

/** Rows of a table, straight from the database. */
export async function rows<T = Record<string, unknown>>(
  app: NestExpressApplication,
  table: string,
): Promise<T[]> {
  return app.get(DataSource).query(`SELECT * FROM ${table}`) as Promise<T[]>;
}
