/** Redis connections: one factory for a single node, a Sentinel group or a Cluster; connected within a deadline, closed. */
export {
  closeRedisConnection,
  type ConnectionTuning,
  connectWithin,
  createRedisConnection,
  describeRedis,
  isCluster,
  redactUrl,
  type RedisConnection,
  redisState,
  scanKeys,
  within,
} from './redis-connection.js';
export { defineScripts, loadScript, type RedisScript, runScript } from './redis-scripts.js';
export { type RedisConfig, redisConfig, type RedisTopology, topologyOf } from './redis.config.js';
export { RedisUnavailableError } from './redis-unavailable.error.js';
