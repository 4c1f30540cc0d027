import { type Span, trace } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
} from '@opentelemetry/semantic-conventions';
import {
  type AfterQueryEvent,
  type BeforeQueryEvent,
  type EntitySubscriberInterface,
  EventSubscriber,
} from 'typeorm';
import { recordSpanError, SpanKind, tracer } from '../tracing/index.js';
import { sqlSummary } from './sql-summary.js';

/**
 * A client span per statement on the embedded SQLite database: better-sqlite3 has no
 * maintained instrumentation (mysql2's covers MySQL/MariaDB), so TypeORM's query events open
 * them, through `@opentelemetry/api` only. Registered for SQLite alone, or MySQL statements would
 * be traced twice.
 *
 * A span is opened only inside a recorded trace: a statement outside any (the outbox's poll,
 * the bus's reads) would be a trace of one span, and without the SDK this costs one lookup.
 * The statement is TypeORM's, with `?` placeholders: its parameters (the records, the people in
 * them) never go into an attribute. `@EventSubscriber` only makes it a subscriber TypeORM can
 * build: a data source uses it when its `subscribers` list it.
 */
@EventSubscriber()
export class SqliteQuerySpans implements EntitySubscriberInterface {
  /**
   * Open spans by their statement's parameter list: TypeORM hands the same array, made for
   * that call, to both events, while statements of concurrent flows interleave on the one
   * query runner SQLite has.
   */
  private readonly open = new WeakMap<object, Span>();

  beforeQuery(event: BeforeQueryEvent): void {
    if (!event.parameters || !trace.getActiveSpan()?.isRecording()) return;
    const { operation, collection } = sqlSummary(event.query);
    const span = tracer().startSpan(collection ? `${operation} ${collection}` : operation, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_DB_SYSTEM_NAME]: 'sqlite',
        [ATTR_DB_OPERATION_NAME]: operation,
        ...(collection ? { [ATTR_DB_COLLECTION_NAME]: collection } : {}),
        [ATTR_DB_QUERY_TEXT]: event.query,
      },
    });
    this.open.set(event.parameters, span);
  }

  afterQuery(event: AfterQueryEvent): void {
    const span = event.parameters && this.open.get(event.parameters);
    if (!span) return;
    this.open.delete(event.parameters!);
    if (!event.success) recordSpanError(span, event.error);
    span.end();
  }
}
