import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';
import { portableColumns } from '../src/platform/persistence/index.js';

/**
 * Traces joined to what the platform keeps: an Object Store entry keeps its input's W3C trace
 * context (its reprocessing continues that trace), an error record the trace id of the flow
 * that failed (shown, and linked, by the admin API). Nullable: rows from before, or from a
 * process that traced nothing, have none.
 */
export class AddTraceContext1764250000000 implements MigrationInterface {
  name = 'AddTraceContext1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = portableColumns(queryRunner);
    await queryRunner.addColumns('object_store_entries', [
      new TableColumn(c.string('traceparent', 55, true)),
      new TableColumn(c.string('tracestate', 512, true)),
    ]);
    await queryRunner.addColumn('error_records', new TableColumn(c.string('trace_id', 32, true)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('error_records', 'trace_id');
    await queryRunner.dropColumns('object_store_entries', ['traceparent', 'tracestate']);
  }
}
