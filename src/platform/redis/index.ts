/** Redis connections: made, connected within a deadline, closed. */
export {
  closeRedisConnection,
  connectWithin,
  createRedisConnection,
  redactUrl,
  within,
} from './redis-connection.js';
export { RedisUnavailableError } from './redis-unavailable.error.js';
