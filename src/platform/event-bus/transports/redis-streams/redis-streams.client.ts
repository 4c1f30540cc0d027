import type { ReadPacket, WritePacket } from '@nestjs/microservices';
import { EventBusClient } from '../../event-bus.client.js';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { BusConfig } from '../../event-bus.config.js';
import type { EventEnvelope } from '../../event-envelope.js';
import type { DeadLetter } from '../../delivery/dead-letter.js';
import { replayEnvelope, type ReplayOptions } from '../../delivery/replay.js';
import { DeadLetterNotFoundError } from '../../errors/dead-letter-not-found.error.js';
import type { StreamDescription } from '../../stream-description.js';
import {
  closeRedisConnection,
  connectWithin,
  createRedisConnection,
  within,
} from '../../../redis/redis-connection.js';
import { PublishBatcher } from './publish-batcher.js';
import { REPLAY_DEAD_LETTER } from './replay.script.js';
import { type StreamEntry, toDeadLetter } from './redis-streams.events.js';
import { RedisStreamsKeys, trimArguments } from './redis-streams.keys.js';

/**
 * Publishing side of the Redis Streams transport: `emit(event, envelope)` appends the
 * envelope to the event's stream, trimmed by its retention. An event is stored even when no
 * pipeline subscribes yet; a group created later reads it (`bus.startFrom`).
 */
export class RedisStreamsClient extends EventBusClient {
  private readonly keys: RedisStreamsKeys;
  private readonly logger = new Logger('RedisStreamsClient');
  private redis?: Redis;
  private batcher?: PublishBatcher;

  constructor(
    private readonly config: BusConfig,
    private readonly redisUrl: string,
  ) {
    super();
    this.keys = new RedisStreamsKeys(config.keyPrefix);
  }

  connect(): Promise<void> {
    // One connection for the client's life; ioredis reconnects it after a failure.
    this.redis ??= createRedisConnection(this.redisUrl, 'tributary-publisher', this.logger, {
      // Commands issued in one event-loop turn go out as one pipeline: publishing many
      // events at once costs one round trip.
      enableAutoPipelining: true,
    });
    this.batcher ??= new PublishBatcher(this.redis);
    return connectWithin(this.redis, this.redisUrl, this.config.connectTimeoutMs);
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    this.batcher = undefined;
    await closeRedisConnection(redis);
  }

  async isHealthy(): Promise<boolean> {
    // Connects lazily, as publishing does: a process that never published is still checked.
    await within(this.connect(), 1000, undefined);
    return (
      this.redis?.status === 'ready' && (await within(this.redis.ping(), 1000, null)) === 'PONG'
    );
  }

  async listDeadLetters(count: number, before?: string): Promise<DeadLetter[]> {
    const end = before === undefined ? '+' : idBelow(before);
    if (end === undefined) return [];
    const entries = (await (
      await this.connected()
    ).xrevrange(this.keys.deadLetter(), end, '-', 'COUNT', count)) as StreamEntry[];
    return entries.map(([id, fields]) => toDeadLetter(id, fields));
  }

  async replayDeadLetter(id: string, options: ReplayOptions): Promise<DeadLetter> {
    const redis = await this.connected();
    const [entry] = (await redis.xrange(this.keys.deadLetter(), id, id)) as StreamEntry[];
    if (!entry) throw new DeadLetterNotFoundError(id);
    const letter = toDeadLetter(entry[0], entry[1]);
    const envelope = replayEnvelope(letter, options);
    const [strategy = '', , threshold = ''] = trimArguments(this.config, letter.event);
    const added = await redis.eval(
      REPLAY_DEAD_LETTER,
      2,
      this.keys.deadLetter(),
      this.keys.stream(letter.event),
      id,
      JSON.stringify(envelope),
      letter.pipeline,
      String(strategy),
      String(threshold),
    );
    if (!added) throw new DeadLetterNotFoundError(id);
    return letter;
  }

  async deleteDeadLetter(id: string): Promise<boolean> {
    const redis = await this.connected();
    return (await redis.xdel(this.keys.deadLetter(), id)) === 1;
  }

  async describeStreams(): Promise<StreamDescription[]> {
    const redis = await this.connected();
    const streams: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = (await redis.call(
        'SCAN',
        cursor,
        'MATCH',
        this.keys.streamPattern(),
        'COUNT',
        500,
        'TYPE',
        'stream',
      )) as [string, string[]];
      cursor = next;
      streams.push(...keys);
    } while (cursor !== '0');
    return Promise.all(streams.sort().map((key) => this.describeStream(redis, key)));
  }

  async setPaused(pipeline: string, paused: boolean): Promise<void> {
    const redis = await this.connected();
    if (paused) await redis.sadd(this.keys.paused(), pipeline);
    else await redis.srem(this.keys.paused(), pipeline);
  }

  async pausedPipelines(): Promise<string[]> {
    return (await this.connected()).smembers(this.keys.paused());
  }

  async backlog(event: string): Promise<number> {
    const redis = await this.connected();
    let groups: unknown[][];
    try {
      groups = (await redis.xinfo('GROUPS', this.keys.stream(event))) as unknown[][];
    } catch (error) {
      if ((error as Error).message.includes('no such key')) return 0;
      throw error;
    }
    // Redis answers a nil lag when deletions keep it from counting: that group then counts
    // its pending events only, so a flow never waits on a figure Redis cannot give.
    return Math.max(
      0,
      ...groups.map(pairs).map((g) => Number(g.pending) + (g.lag == null ? 0 : Number(g.lag))),
    );
  }

  private async describeStream(redis: Redis, key: string): Promise<StreamDescription> {
    const [length, groups] = await Promise.all([
      redis.xlen(key),
      redis.xinfo('GROUPS', key) as Promise<unknown[][]>,
    ]);
    return {
      event: this.keys.eventOf(key),
      length,
      groups: await Promise.all(
        groups.map(async (flat) => {
          const group = pairs(flat);
          const consumers = (await redis.xinfo(
            'CONSUMERS',
            key,
            String(group.name),
          )) as unknown[][];
          return {
            pipeline: String(group.name),
            pending: Number(group.pending),
            // Redis answers nil when it cannot tell (after deletions it has not counted).
            lag: group.lag === null || group.lag === undefined ? null : Number(group.lag),
            consumers: consumers.map((c) => {
              const consumer = pairs(c);
              return {
                name: String(consumer.name),
                pending: Number(consumer.pending),
                idleMs: Number(consumer.idle),
              };
            }),
          };
        }),
      ),
    };
  }

  private async connected(): Promise<Redis> {
    await this.connect();
    return this.redis!;
  }

  unwrap<T>(): T {
    if (!this.redis) throw new Error('the Redis Streams client is not connected');
    return this.redis as T;
  }

  override on(): never {
    throw new Error('the event bus client has no events to listen to');
  }

  override async dispatch(envelope: EventEnvelope): Promise<void> {
    // Skips the connection check of every publish once connected: it is on the hot path.
    if (this.redis?.status !== 'ready') await this.connect();
    await this.batcher!.add(
      this.keys.stream(envelope.name),
      trimArguments(this.config, envelope.name),
      JSON.stringify(envelope),
    );
  }

  /** Resolves with the entry id Redis gave the event (the path of `emit()`). */
  protected async dispatchEvent<T = string>(packet: ReadPacket<EventEnvelope>): Promise<T> {
    const event = packet.pattern as string;
    return (await this.batcher!.add(
      this.keys.stream(event),
      trimArguments(this.config, event),
      JSON.stringify(packet.data),
    )) as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error('the event bus publishes events; it has no request-response'),
      isDisposed: true,
    });
    return () => undefined;
  }
}

/** XINFO answers flat [field, value, field, value…] lists. */
function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

const U64_MAX = 2n ** 64n - 1n;

/**
 * The greatest stream id below `id` (`ms` or `ms-seq`), for an XREVRANGE that starts right
 * after a page's last entry; undefined below `0-0`. Computed rather than Redis's exclusive
 * `(id`, which is an error for `0-0` or for parts beyond 64 bits, both of which a caller's
 * cursor may hold.
 */
function idBelow(id: string): string | undefined {
  const [msText = '0', seqText = '0'] = id.split('-');
  const ms = BigInt(msText);
  const seq = BigInt(seqText);
  if (ms > U64_MAX) return '+';
  if (seq > U64_MAX) return `${ms}-${U64_MAX}`;
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  if (ms > 0n) return `${ms - 1n}-${U64_MAX}`;
  return undefined;
}
