import { RedisUnavailableError } from '../redis/redis-unavailable.error.js';

/** The pipeline's own infrastructure: its database (MySQL/MariaDB or SQLite) or its broker (Redis). */
export type OutageDependency = 'database' | 'broker';

/** A failure that says the dependency is away, not that the work is wrong. */
export interface Outage {
  dependency: OutageDependency;
  /** A short, stable name of what was seen: `ECONNREFUSED`, `SQLITE_BUSY`, `READONLY`… */
  cause: string;
}

/**
 * The longest anyone waits before trying a dependency that is away again: a bus trigger
 * between two probes (one event each, cheap), an HTTP client told `Retry-After`. A dependency
 * back from an outage is then noticed within seconds, not at the end of a long backoff.
 */
export const OUTAGE_RETRY_MS = 5_000;

/**
 * Whether an error is an outage of the pipeline's own database or broker: the one place that
 * decides it, for the bus (an outage is waited out, never counted against `maxDeliveries`)
 * and for HTTP (503 with `Retry-After`, not 500).
 *
 * An outage is a connection-level failure: refused, reset, timed out, the connection lost or
 * closed, the pool closed or exhausted, the server shutting down or gone away, read-only
 * during a failover, SQLite busy or locked, Redis loading, read-only, without its master or
 * cluster. TypeORM's wrapping (`driverError`), `cause` chains and `AggregateError`s are looked
 * through.
 *
 * Not an outage: whatever the payload causes (a duplicate key, a constraint, data too long,
 * validation), which trying again cannot fix; and a network failure of a peer (an HTTP or SMTP
 * service refusing a connection), which the pipeline handles as its own error. A socket error
 * counts only when the database driver reports it as the end of its connection (mysql2 marks
 * those `fatal`); a peer's `fetch` or `http` socket error carries no such mark.
 */
export function outageOf(error: unknown): Outage | undefined {
  for (const candidate of causes(error)) {
    const outage = databaseOutage(candidate) ?? brokerOutage(candidate);
    if (outage) return outage;
  }
  return undefined;
}

interface ErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
}

/** Server errors (MySQL/MariaDB errno) that mean the server is going, gone, or full. */
const SERVER_AWAY: Record<number, string> = {
  1040: 'ER_CON_COUNT_ERROR',
  1053: 'ER_SERVER_SHUTDOWN',
  1836: 'ER_READ_ONLY_MODE',
  1927: 'ER_CONNECTION_KILLED',
  2006: 'CR_SERVER_GONE_ERROR',
  2013: 'CR_SERVER_LOST',
};
/** 1290 is also `--secure-file-priv` and the like: only its read-only form is a failover. */
const ER_OPTION_PREVENTS_STATEMENT = 1290;

/** mysql2's pool, closed at shutdown, or out of connections with a queue limit set. */
const POOL_MESSAGES: Record<string, string> = {
  'Pool is closed.': 'pool closed',
  'No connections available.': 'pool exhausted',
  'Queue limit reached.': 'pool exhausted',
};

function databaseOutage(error: ErrorShape): Outage | undefined {
  const { code, errno, fatal, message, name } = error;
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) return database(code);
  if (typeof errno === 'number' && errno > 0) {
    if (SERVER_AWAY[errno]) return database(SERVER_AWAY[errno]);
    if (errno === ER_OPTION_PREVENTS_STATEMENT && /read.only/i.test(text))
      return database('ER_OPTION_PREVENTS_STATEMENT (read-only)');
    // Any other server error is about the statement or the credentials, not the connection.
    return undefined;
  }
  // mysql2 marks `fatal` every error that ends its connection: a socket refused, reset or
  // timed out, the connection lost, a command sent on a closed connection.
  if (fatal === true) return database(typeof code === 'string' ? code : 'connection closed');
  if (POOL_MESSAGES[text]) return database(POOL_MESSAGES[text]);
  // TypeORM once its pool is gone: a shutdown under way.
  if (name === 'TypeORMError' && text.startsWith('Connection is not established'))
    return database('not connected');
  return undefined;
}

/** Redis replies that mean the server cannot serve now: loading, a replica, no master, no cluster. */
const BROKER_AWAY = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

function brokerOutage(error: ErrorShape): Outage | undefined {
  if (error instanceof RedisUnavailableError) return broker('no answer');
  const { message, name } = error;
  const text = typeof message === 'string' ? message : '';
  if (name === 'ReplyError') {
    const reply = BROKER_AWAY.exec(text);
    return reply ? broker(reply[1]!) : undefined;
  }
  // ioredis: a command that waited through its reconnection attempts, or met a closed or
  // offline connection; a cluster that cannot learn its slots; sentinels that do not answer.
  if (name === 'MaxRetriesPerRequestError' || name === 'ClusterAllFailedError') return broker(name);
  if (text === 'Connection is closed.') return broker('connection closed');
  if (text.startsWith("Stream isn't writeable")) return broker('offline');
  if (text.startsWith('All sentinels are unreachable')) return broker('sentinels unreachable');
  // A Cluster client: no startup node answers, or slots moving faster than it can follow (a
  // failover or resharding under way: MOVED after MOVED past `maxRedirections`).
  if (text === 'None of startup nodes is available') return broker('no cluster node');
  if (text.startsWith('Too many Cluster redirections')) return broker('MOVED storm');
  return undefined;
}

const database = (cause: string): Outage => ({ dependency: 'database', cause });
const broker = (cause: string): Outage => ({ dependency: 'broker', cause });

/** The error and what it wraps, breadth first, each once. */
function* causes(error: unknown): Generator<ErrorShape> {
  const queue: unknown[] = [error];
  const seen = new Set<unknown>();
  // A bound, in case a cause chain loops through objects that are not the same instance.
  for (let i = 0; i < queue.length && i < 16; i++) {
    const current = queue[i];
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    yield current as ErrorShape;
    const { driverError, cause, errors } = current as {
      driverError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    queue.push(driverError, cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
}
