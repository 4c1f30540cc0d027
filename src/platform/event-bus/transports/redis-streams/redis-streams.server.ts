import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import type { BusConfig } from '../../event-bus.config.js';
import type { BusObservers } from '../../bus-observers.js';
import { EventBusServer } from '../../event-bus.server.js';
import type { EventRegistry } from '../../registry/event-registry.js';
import { AckBatcher } from './ack-batcher.js';
import {
  closeRedisConnection,
  connectWithin,
  createRedisConnection,
  describeRedis,
  type RedisConfig,
  type RedisConnection,
  defineScripts,
  redisState,
} from '../../../redis/index.js';
import { assertCurrentLayout } from './key-layout.js';
import { RedisStreamsKeys } from './redis-streams.keys.js';
import { DEAD_LETTER } from './redis-streams.scripts.js';
import { ConsumerEngine } from '../../engine/consumer-engine.js';
import { RedisStreamsSubscription } from './redis-streams.subscription.js';

/**
 * Nest transport strategy on Redis Streams: a stream per event, a consumer group per
 * subscribing pipeline (fan-out between pipelines, load sharing between a pipeline's
 * replicas), acknowledgement after success, redelivery, take-over and dead letters.
 */
export class RedisStreamsServer extends EventBusServer {
  private readonly logger_ = new Logger('RedisStreamsServer');
  private readonly keys: RedisStreamsKeys;
  /** Unique per process: pending events are tracked per consumer. */
  readonly consumerName = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private commands?: RedisConnection;
  private readers: RedisConnection[] = [];
  private consumers: ConsumerEngine[] = [];
  private acks?: AckBatcher;
  private paused = new Set<string>();
  private pausedRefresh?: NodeJS.Timeout;

  constructor(
    config: BusConfig,
    drainTimeoutMs: number,
    observers: BusObservers,
    registry: EventRegistry,
    private readonly redis: RedisConfig,
  ) {
    super(config, drainTimeoutMs, observers, registry);
    this.keys = new RedisStreamsKeys(config.keyPrefix);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const where = describeRedis(this.redis);
      this.commands = createRedisConnection(
        this.redis,
        `tributary-commands:${this.consumerName}`,
        this.logger_,
        { enableAutoPipelining: true },
      );
      defineScripts(this.commands, DEAD_LETTER);
      // A broker that does not answer at start stops the process with a clear message; the
      // orchestrator restarts it. Once running, connections reconnect by themselves.
      await connectWithin(this.commands, where, this.config.connectTimeoutMs);
      await assertCurrentLayout(this.commands, this.config.keyPrefix);
      this.acks = new AckBatcher(this.commands, this.logger_);
      await this.refreshPaused();
      // One read of the paused set per process and second, not one per consumer and loop.
      this.pausedRefresh = setInterval(() => void this.refreshPaused(), 1000);
      for (const binding of this.triggerBindings()) {
        // Its own connection (on a Cluster, its own set of them): a blocking read holds it.
        const reader = createRedisConnection(
          this.redis,
          `tributary-reader:${this.consumerName}`,
          this.logger_,
        );
        await connectWithin(reader, where, this.config.connectTimeoutMs);
        this.readers.push(reader);
        const { event, pipeline } = binding;
        const subscription = new RedisStreamsSubscription(
          event,
          pipeline,
          this.keys,
          this.commands,
          reader,
          this.acks,
          this.config,
          this.consumerName,
          this.logger_,
        );
        const consumer = new ConsumerEngine(
          binding,
          subscription,
          this.config,
          this.logger_,
          this.observers,
          () => this.paused.has(pipeline),
        );
        await consumer.start();
        this.consumers.push(consumer);
      }
      this._status$.next('listening');
      callback();
    } catch (error) {
      this._status$.next('error');
      // Nothing is consuming yet: stop the reconnect attempts of what was opened.
      await this.close();
      callback(error);
    }
  }

  private async refreshPaused(): Promise<void> {
    // Silent on failure: this runs every second, and Redis away is told once by the triggers'
    // outage lines; the last known paused set holds until Redis answers again.
    const members = await this.commands?.smembers(this.keys.paused()).catch(() => undefined);
    if (members) this.paused = new Set(members);
  }

  async drain(timeoutMs: number): Promise<void> {
    clearInterval(this.pausedRefresh);
    await Promise.all(this.consumers.map((consumer) => consumer.drain(timeoutMs)));
    await this.acks?.flush();
    // Leaving is tidying: a consumer that could not leave (Redis away) holds no pending events
    // now, and its name is only an idle entry of the group.
    await Promise.all(this.consumers.map((consumer) => consumer.leave()));
    this.consumers = [];
  }

  async close(): Promise<void> {
    clearInterval(this.pausedRefresh);
    await Promise.all([...this.readers, this.commands].map(closeRedisConnection));
    this.readers = [];
    this.commands = undefined;
    this._status$.next('closed');
  }

  async isHealthy(): Promise<boolean> {
    return this.commands !== undefined && (await redisState(this.commands)).ok;
  }

  unwrap<T>(): T {
    if (!this.commands) throw new Error('the Redis Streams server is not listening');
    return this.commands as T;
  }
}
