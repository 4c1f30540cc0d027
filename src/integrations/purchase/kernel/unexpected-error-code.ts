/** The error code of an unexpected failure: the database's own errors are told apart. */
export function unexpectedErrorCode(error: unknown): 'database-unavailable' | 'unexpected-error' {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    sqlState?: unknown;
    code?: unknown;
  };
  const database =
    /QueryFailedError|ConnectionIsNotSetError|DriverException|SqliteError|CannotExecuteNotConnectedError/.test(
      e.name ?? '',
    ) ||
    e.sqlState !== undefined ||
    (typeof e.code === 'string' &&
      /^(ER_|SQLITE_|PROTOCOL_CONNECTION_LOST|ECONNREFUSED)/.test(e.code));
  return database ? 'database-unavailable' : 'unexpected-error';
}
