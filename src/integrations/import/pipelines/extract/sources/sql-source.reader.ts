import type { DataSource } from 'typeorm';
import { truncate } from '../../../../../platform/text/index.js';
import { MAX_RECORD_KEY } from '../../../kernel/record-events.js';
import {
  ExtractionError,
  type SourceCursor,
  type SourcePage,
  type SourceReader,
} from './source-reader.js';

/**
 * Reads a configured SELECT with keyset pagination: `WHERE key > last ORDER BY key LIMIT n`
 * around it, so every page costs the same however deep it is (OFFSET would rescan). The
 * query and key column come from configuration only; the key column is an identifier,
 * checked by the configuration schema, and quoted by the driver.
 */
export class SqlSourceReader implements SourceReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly query: string,
    private readonly keyColumn: string,
  ) {}

  async read(after: SourceCursor, pageSize: number): Promise<SourcePage> {
    const key = `src.${this.dataSource.driver.escape(this.keyColumn)}`;
    const where = after === null ? '' : `WHERE ${key} > ?`;
    const sql = `SELECT * FROM (${this.query}) src ${where} ORDER BY ${key} LIMIT ${Math.trunc(pageSize)}`;
    let rows: Record<string, unknown>[];
    try {
      rows = (await this.dataSource.query(sql, after === null ? [] : [after])) as Record<
        string,
        unknown
      >[];
    } catch (error) {
      throw new ExtractionError(
        `source query failed: ${(error as Error).message}`,
        'source-query-failed',
      );
    }
    const records = rows.map((row) => {
      const value = row[this.keyColumn];
      if (value === null || value === undefined) {
        throw new ExtractionError(
          `a row has no value in key column '${this.keyColumn}'`,
          'source-key-missing',
        );
      }
      const recordKey = String(value);
      if (recordKey.length > MAX_RECORD_KEY) {
        throw new ExtractionError(
          `key '${truncate(recordKey, 41, '…')}' is longer than ${MAX_RECORD_KEY}`,
          'source-key-too-long',
        );
      }
      return { key: recordKey, data: row };
    });
    const last = rows.at(-1)?.[this.keyColumn];
    const next = rows.length < pageSize ? null : typeof last === 'number' ? last : String(last);
    return { records, next };
  }
}
