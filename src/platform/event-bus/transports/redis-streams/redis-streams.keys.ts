import type { BusConfig, RetentionConfig } from '../../event-bus.config.js';

/**
 * Key layout: a stream per event name, a dead-letter stream per event name; consumer groups
 * are pipelines. Every key of one event carries the event as its hash tag (`{<event>}`), so
 * that on a Redis Cluster they share a slot and a script or transaction may touch them
 * together (dead-lettering: XADD to the dead letters and XACK on the stream; a replay: XDEL
 * and XADD). Keys used alone (the paused set) hash on their whole name: they need no tag.
 */
export class RedisStreamsKeys {
  constructor(private readonly prefix: string) {}

  stream(event: string): string {
    return `${this.prefix}:stream:{${event}}`;
  }

  /** The event of a key of {@link stream} or {@link deadLetter}. */
  eventOf(key: string): string {
    return /\{([^}]*)\}$/.exec(key)?.[1] ?? '';
  }

  streamPattern(): string {
    return `${this.prefix}:stream:{*}`;
  }

  deadLetter(event: string): string {
    return `${this.prefix}:dead-letter:{${event}}`;
  }

  deadLetterPattern(): string {
    return `${this.prefix}:dead-letter:{*}`;
  }

  /** Set of the pipelines paused by an operator. */
  paused(): string {
    return `${this.prefix}:paused`;
  }
}

/**
 * The key names before the Cluster layout (each event's stream untagged, one dead-letter
 * stream for all events), which `npm run bus:upgrade-keys` moves to {@link RedisStreamsKeys}.
 */
export class LegacyRedisStreamsKeys {
  constructor(private readonly prefix: string) {}

  /** Matches the new streams too: {@link isStream} tells them apart. */
  streamPattern(): string {
    return `${this.prefix}:stream:*`;
  }

  isStream(key: string): boolean {
    const rest = key.slice(`${this.prefix}:stream:`.length);
    return key.startsWith(`${this.prefix}:stream:`) && !rest.startsWith('{');
  }

  eventOf(key: string): string {
    return key.slice(`${this.prefix}:stream:`.length);
  }

  deadLetter(): string {
    return `${this.prefix}:dead-letter`;
  }
}

/** The trimming arguments of XADD for an event's retention (`MAXLEN ~ n` or `MINID ~ t`). */
export function trimArguments(
  config: Pick<BusConfig, 'retention' | 'streams'>,
  event: string,
  now = Date.now(),
): (string | number)[] {
  const retention: RetentionConfig = config.streams[event] ?? config.retention;
  if (retention.maxAgeMs) return ['MINID', '~', now - retention.maxAgeMs];
  if (retention.maxLength) return ['MAXLEN', '~', retention.maxLength];
  return [];
}
