/**
 * `date` as UTC text in the form both MySQL's DATETIME(3) and TypeORM's SQLite dates take, for
 * plain statements (see `multi-row`): better-sqlite3 binds no Date.
 */
export function sqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').slice(0, 23);
}
