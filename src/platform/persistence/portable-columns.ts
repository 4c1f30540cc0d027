import type { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column shapes that mean the same on MySQL/MariaDB and on SQLite, for migrations that
 * must run unchanged on both.
 */
export function portableColumns(queryRunner: QueryRunner) {
  const mysql = queryRunner.connection.options.type === 'mysql';
  return {
    /** JSON payloads and messages: MEDIUMTEXT (16 MiB) on MySQL, where TEXT stops at 64 KiB. */
    largeText: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: mysql ? 'mediumtext' : 'text',
      isNullable: nullable,
    }),
    /** Millisecond timestamps, stored in UTC. */
    timestamp: (name: string, nullable = false): TableColumnOptions => ({
      name,
      type: 'datetime',
      precision: mysql ? 3 : undefined,
      isNullable: nullable,
    }),
    createdAt: (): TableColumnOptions => ({
      name: 'created_at',
      type: 'datetime',
      precision: mysql ? 3 : undefined,
      default: mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))",
    }),
    updatedAt: (): TableColumnOptions => ({
      name: 'updated_at',
      type: 'datetime',
      precision: mysql ? 3 : undefined,
      default: mysql ? 'CURRENT_TIMESTAMP(3)' : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))",
    }),
    id: (name = 'id'): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      isPrimary: true,
    }),
    string: (name: string, length: number, nullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    }),
    boolean: (name: string): TableColumnOptions => ({ name, type: 'boolean' }),
    integer: (name: string, defaultValue?: number): TableColumnOptions => ({
      name,
      type: 'int',
      default: defaultValue,
    }),
  };
}
