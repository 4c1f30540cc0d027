import type { ReadPacket, WritePacket } from '@nestjs/microservices';
import { EventBusClient } from '../../event-bus.client.js';
import { Redis } from 'ioredis';
import type { BusConfig } from '../../../../config/config.schema.js';
import type { EventEnvelope } from '../../event-envelope.js';
import type { DeadLetter } from '../../delivery/dead-letter.js';
import { ENVELOPE_FIELD, type StreamEntry, toDeadLetter } from './redis-streams.events.js';
import { RedisStreamsKeys, trimArguments } from './redis-streams.keys.js';

/**
 * Publishing side of the Redis Streams transport: `emit(event, envelope)` appends the
 * envelope to the event's stream, trimmed by its retention. An event is stored even when no
 * pipeline subscribes yet; a group created later reads it (`bus.startFrom`).
 */
export class RedisStreamsClient extends EventBusClient {
  private readonly keys: RedisStreamsKeys;
  private redis?: Redis;
  private connecting?: Promise<void>;

  constructor(
    private readonly config: BusConfig,
    private readonly redisUrl: string,
  ) {
    super();
    this.keys = new RedisStreamsKeys(config.keyPrefix);
  }

  connect(): Promise<void> {
    this.connecting ??= (async () => {
      const redis = new Redis(this.redisUrl, {
        // Commands issued in one event-loop turn go out as one pipeline: publishing many
        // events at once costs one round trip.
        enableAutoPipelining: true,
        lazyConnect: true,
        connectionName: 'tributary-publisher',
      });
      await redis.connect();
      this.redis = redis;
    })().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    this.connecting = undefined;
    await redis?.quit().catch(() => redis.disconnect());
  }

  async isHealthy(): Promise<boolean> {
    // Connects lazily, as publishing does: a process that never published is still checked.
    await this.connect().catch(() => undefined);
    return (await this.redis?.ping().catch(() => null)) === 'PONG';
  }

  async listDeadLetters(count: number): Promise<DeadLetter[]> {
    await this.connect();
    const entries = (await this.redis!.xrevrange(this.keys.deadLetter(), '+', '-', 'COUNT', count)) as StreamEntry[];
    return entries.map(([id, fields]) => toDeadLetter(id, fields));
  }

  unwrap<T>(): T {
    if (!this.redis) throw new Error('the Redis Streams client is not connected');
    return this.redis as T;
  }

  override on(): never {
    throw new Error('the event bus client has no events to listen to');
  }

  /** Resolves with the entry id Redis gave the event. */
  protected async dispatchEvent<T = string>(packet: ReadPacket<EventEnvelope>): Promise<T> {
    const event = packet.pattern as string;
    return (await this.redis!.xadd(
      this.keys.stream(event),
      ...trimArguments(this.config, event),
      '*',
      ENVELOPE_FIELD,
      JSON.stringify(packet.data),
    )) as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('the event bus publishes events; it has no request-response'), isDisposed: true });
    return () => undefined;
  }
}
