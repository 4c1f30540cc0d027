import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inSpan } from '../tracing/index.js';
import { dataSourceOptions } from './data-source-options.js';

/**
 * The embedded database's statements as spans, on a real SQLite database and the SDK's
 * in-memory exporter: what the app's SDK would send to a collector.
 */
describe('SqliteQuerySpans', () => {
  const exporter = new InMemorySpanExporter();
  let db: DataSource;

  beforeAll(async () => {
    new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
    db = await new DataSource(
      dataSourceOptions({ sqlitePath: ':memory:', migrateOnStart: false, logging: false }),
    ).initialize();
    await db.query('CREATE TABLE "people" ("id" integer PRIMARY KEY, "email" varchar NOT NULL)');
  });
  afterAll(async () => {
    await db?.destroy();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => exporter.reset());

  it('opens a client span per statement inside a trace, with the db attributes and no parameter', async () => {
    await inSpan('flow', {}, async () => {
      await db.query('INSERT INTO "people" ("id", "email") VALUES (?, ?)', [1, 'ada@example.com']);
      await db.createQueryBuilder().select('COUNT(*)', 'n').from('people', 'p').getRawOne();
    });
    const spans = exporter.getFinishedSpans();
    const flow = spans.find((s) => s.name === 'flow')!;
    const sql = spans.filter((s) => s.attributes['db.system.name'] === 'sqlite');
    expect(sql.map((s) => s.name)).toEqual(['INSERT people', 'SELECT people']);
    for (const span of sql) {
      expect(span.kind).toBe(2); // client
      expect(span.parentSpanContext?.spanId).toBe(flow.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(flow.spanContext().traceId);
      expect(span.attributes['db.collection.name']).toBe('people');
    }
    expect(sql[0]!.attributes).toMatchObject({
      'db.operation.name': 'INSERT',
      'db.query.text': 'INSERT INTO "people" ("id", "email") VALUES (?, ?)',
    });
    expect(JSON.stringify(sql.map((s) => s.attributes))).not.toContain('ada@example.com');
  });

  it('marks a failed statement with its SQLite code', async () => {
    await inSpan('flow', {}, async () => {
      await db.query('INSERT INTO "people" ("id", "email") VALUES (?, ?)', [2, 'x@example.com']);
      await expect(
        db.query('INSERT INTO "people" ("id", "email") VALUES (?, ?)', [2, 'y@example.com']),
      ).rejects.toThrow(/UNIQUE/);
    });
    const failed = exporter.getFinishedSpans().filter((s) => s.name === 'INSERT people')[1]!;
    expect(failed.status.code).toBe(2); // error
    expect(failed.attributes['error.type']).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
  });

  it('opens none outside a trace: a poll is not a trace of its own', async () => {
    await db.query('SELECT COUNT(*) FROM "people"');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
