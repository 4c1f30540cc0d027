import type { ReadPacket, WritePacket } from '@nestjs/microservices';
import { type BrokerState, EventBusClient } from '../../event-bus.client.js';
import { Logger } from '@nestjs/common';
import type { BusConfig } from '../../event-bus.config.js';
import type { EventEnvelope } from '../../event-envelope.js';
import type { DeadLetter } from '../../delivery/dead-letter.js';
import { asDeadLetterCursor, type DeadLetterCursor } from '../../delivery/dead-letter-cursor.js';
import {
  type DeadLetterSelector,
  replayEnvelope,
  type ReplayOptions,
} from '../../delivery/replay.js';
import { DeadLetterAmbiguousError } from '../../errors/dead-letter-ambiguous.error.js';
import { DeadLetterNotFoundError } from '../../errors/dead-letter-not-found.error.js';
import type { StreamDescription } from '../../stream-description.js';
import {
  closeRedisConnection,
  connectWithin,
  createRedisConnection,
  describeRedis,
  type RedisConfig,
  type RedisConnection,
  redisState,
  runScript,
  scanKeys,
  defineScripts,
  within,
} from '../../../redis/index.js';
import { PublishBatcher } from './publish-batcher.js';
import { APPEND_ENVELOPES, REPLAY_DEAD_LETTER } from './redis-streams.scripts.js';
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
  private redis?: RedisConnection;
  private batcher?: PublishBatcher;
  private connecting?: Promise<void>;

  constructor(
    private readonly config: BusConfig,
    private readonly redisConfig: RedisConfig,
  ) {
    super();
    this.keys = new RedisStreamsKeys(config.keyPrefix);
  }

  connect(): Promise<void> {
    // One connection for the client's life; ioredis reconnects it after a failure.
    if (!this.redis) {
      this.redis = createRedisConnection(this.redisConfig, 'tributary-publisher', this.logger, {
        // Commands issued in one event-loop turn go out as one pipeline: publishing many
        // events at once costs one round trip.
        enableAutoPipelining: true,
      });
      defineScripts(this.redis, APPEND_ENVELOPES, REPLAY_DEAD_LETTER);
    }
    this.batcher ??= new PublishBatcher(this.redis);
    // One wait shared by every caller until the connection is ready: the publishes of a burst
    // before it (a start over a backlog, a bench) would each add a 'ready' listener, past
    // Node's limit of ten (MaxListenersExceededWarning).
    this.connecting ??= connectWithin(
      this.redis,
      describeRedis(this.redisConfig),
      this.config.connectTimeoutMs,
    ).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    this.batcher = undefined;
    await closeRedisConnection(redis);
  }

  async isHealthy(): Promise<boolean> {
    return (await this.brokerState()).ok;
  }

  /** One node or the Sentinel group's master answers PING; a Cluster serves every slot. */
  override async brokerState(): Promise<BrokerState> {
    // Connects lazily, as publishing does: a process that never published is still checked.
    await within(this.connect(), 1000, undefined);
    return redisState(this.redis!);
  }

  /**
   * The newest `count` dead letters of every event (each event keeps its own, in its slot),
   * after the cursor `before` when given. Ids are per stream, so two events' letters may share
   * one: equal ids are ordered by event name, and a cursor naming its event starts the events
   * before that name at its id itself, the others below it.
   */
  async listDeadLetters(count: number, before?: string | DeadLetterCursor): Promise<DeadLetter[]> {
    const cursor = before === undefined ? undefined : asDeadLetterCursor(before);
    const redis = await this.connected();
    const keys = await scanKeys(redis, this.keys.deadLetterPattern(), 'stream');
    const perEvent = await Promise.all(
      keys.map(async (key) => {
        const event = this.keys.eventOf(key);
        const end = cursor === undefined ? '+' : endAfter(cursor, event);
        if (end === undefined) return [];
        const entries = (await redis.xrevrange(key, end, '-', 'COUNT', count)) as StreamEntry[];
        return entries.map(([id, fields]) => ({ id, event, fields }));
      }),
    );
    return perEvent
      .flat()
      .sort((a, b) => compareIds(b.id, a.id) || compareNames(b.event, a.event))
      .slice(0, count)
      .map(({ id, fields }) => toDeadLetter(id, fields));
  }

  /**
   * The dead-letter stream holding `id`. Ids are per stream, so two events' dead letters may
   * share one (dead in the same millisecond): then the caller must name the event, never
   * a guess that could replay or delete the wrong one.
   */
  private async findDeadLetter(
    redis: RedisConnection,
    id: string,
    selector: DeadLetterSelector,
  ): Promise<{ key: string; entry: StreamEntry } | undefined> {
    const keys =
      selector.event === undefined
        ? (await scanKeys(redis, this.keys.deadLetterPattern(), 'stream')).sort()
        : [this.keys.deadLetter(selector.event)];
    const found = (
      await Promise.all(
        keys.map(async (key) => {
          const [entry] = (await redis.xrange(key, id, id)) as StreamEntry[];
          return entry && { key, entry };
        }),
      )
    ).filter((hit) => hit !== undefined);
    if (found.length > 1) {
      throw new DeadLetterAmbiguousError(
        id,
        found.map(({ key }) => this.keys.eventOf(key)),
      );
    }
    return found[0];
  }

  async replayDeadLetter(id: string, options: ReplayOptions): Promise<DeadLetter> {
    const redis = await this.connected();
    const found = await this.findDeadLetter(redis, id, options);
    if (!found) throw new DeadLetterNotFoundError(id);
    const { key, entry } = found;
    const letter = toDeadLetter(entry[0], entry[1]);
    const envelope = replayEnvelope(letter, options);
    const [strategy = '', , threshold = ''] = trimArguments(this.config, letter.event);
    const added = await runScript(
      redis,
      REPLAY_DEAD_LETTER,
      [key, this.keys.stream(this.keys.eventOf(key))],
      [id, JSON.stringify(envelope), letter.pipeline, String(strategy), String(threshold)],
    );
    // nil: replayed or deleted meanwhile by someone else; anything but an entry id is a fault.
    if (added === null) throw new DeadLetterNotFoundError(id);
    if (typeof added !== 'string') {
      throw new Error(`replaying dead letter ${id}: Redis answered ${JSON.stringify(added)}`);
    }
    return letter;
  }

  async deleteDeadLetter(id: string, selector: DeadLetterSelector = {}): Promise<boolean> {
    const redis = await this.connected();
    const found = await this.findDeadLetter(redis, id, selector);
    return found !== undefined && (await redis.xdel(found.key, id)) === 1;
  }

  async describeStreams(): Promise<StreamDescription[]> {
    const redis = await this.connected();
    const streams = await scanKeys(redis, this.keys.streamPattern(), 'stream');
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

  private async describeStream(redis: RedisConnection, key: string): Promise<StreamDescription> {
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

  private async connected(): Promise<RedisConnection> {
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

/** Orders stream ids (`<ms>-<seq>`) as Redis does. */
function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/** XINFO answers flat [field, value, field, value…] lists. */
function pairs(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

const U64_MAX = 2n ** 64n - 1n;

/** Orders event names by code unit, as the dead-letter cursor does on every transport. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Where `event`'s dead letters after `cursor` start (the XREVRANGE end): its id itself for an
 * event ordered after the cursor's among equal ids (a name below the cursor's), else below it.
 */
function endAfter(cursor: DeadLetterCursor, event: string): string | undefined {
  if (cursor.event !== undefined && compareNames(event, cursor.event) < 0) {
    return idAtMost(cursor.id);
  }
  return idBelow(cursor.id);
}

/** The greatest stream id at most `id` (`ms` or `ms-seq`, a missing seq read as 0, as {@link idBelow} does). */
function idAtMost(id: string): string {
  const [msText = '0', seqText = '0'] = id.split('-');
  const ms = BigInt(msText);
  const seq = BigInt(seqText);
  if (ms > U64_MAX) return '+';
  return `${ms}-${seq > U64_MAX ? U64_MAX : seq}`;
}

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
