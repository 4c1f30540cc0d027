import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../../../test/harness/free-ports.js';
import type { PipelineError } from '../../../../platform/error-store/index.js';
import {
  EventBatch,
  createEnvelope,
  type Publisher,
} from '../../../../platform/event-bus/index.js';
import type { ExtractedRecord } from '../../kernel/record-events.js';
import type { RecordProcessor } from './record-processor.js';
import { RecordTriggers } from './record.triggers.js';

const MAX_DELIVERIES = 5;

/** The error a promise rejects with. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** What MariaDB's driver throws when the database is away: an outage (see outageOf). */
async function databaseAway(): Promise<unknown> {
  const port = await freePort();
  return failure(createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 }));
}

/** A failure of the statement itself, not of the connection: a duplicate key. */
async function duplicateKey(): Promise<unknown> {
  const db = await new DataSource({ type: 'better-sqlite3', database: ':memory:' }).initialize();
  try {
    await db.query('CREATE TABLE t (k TEXT PRIMARY KEY)');
    await db.query("INSERT INTO t VALUES ('a')");
    return await failure(db.query("INSERT INTO t VALUES ('a')"));
  } finally {
    await db.destroy();
  }
}

/** The triggers with a processor that cannot keep its outcome, and the error events they publish. */
function triggersFailingWith(error: unknown) {
  const published: PipelineError[] = [];
  const processor = { process: () => Promise.reject(error) } as unknown as RecordProcessor;
  const errors = {
    publish: (event: PipelineError) => Promise.resolve(void published.push(event)),
  } as unknown as Publisher<PipelineError>;
  return { triggers: new RecordTriggers(processor, errors), published };
}

/** A batch of extracted records, one per delivery number given. */
function batchAt(...attempts: number[]): EventBatch<ExtractedRecord> {
  const importId = randomUUID();
  return new EventBatch(
    attempts.map((attempt, i) => {
      const payload = { importId, source: 'sample', key: String(i + 1), data: { id: i + 1 } };
      return { payload, envelope: createEnvelope('record.extracted', payload, 'extract'), attempt };
    }),
    MAX_DELIVERIES,
  );
}

describe('the process pipeline when its Object Store cannot keep an outcome', () => {
  it('reports a record in an error event on its last delivery, before it is dead-lettered', async () => {
    const refused = await duplicateKey();
    expect(refused).toBeInstanceOf(Error);
    const { triggers, published } = triggersFailingWith(refused);
    await expect(triggers.onExtracted(batchAt(1, MAX_DELIVERIES - 1, MAX_DELIVERIES))).rejects.toBe(
      refused,
    );
    expect(published.map((e) => [e.code, e.context?.recordKey])).toEqual([
      ['object-store-unavailable', '3'],
    ]);
  });

  it('reports nothing while the database is away: the bus holds the event, every probe at the same delivery', async () => {
    const away = await databaseAway();
    const { triggers, published } = triggersFailingWith(away);
    for (let probe = 0; probe < 3; probe++) {
      await expect(triggers.onExtracted(batchAt(MAX_DELIVERIES, MAX_DELIVERIES))).rejects.toBe(
        away,
      );
    }
    expect(published).toEqual([]);
  });
});
