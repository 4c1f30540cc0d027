import type { BusConfig, RetentionConfig } from '../../event-bus.config.js';

/** Key layout: a stream per event name, one dead-letter stream; consumer groups are pipelines. */
export class RedisStreamsKeys {
  constructor(private readonly prefix: string) {}

  stream(event: string): string {
    return `${this.prefix}:stream:${event}`;
  }

  eventOf(streamKey: string): string {
    return streamKey.slice(this.prefix.length + ':stream:'.length);
  }

  streamPattern(): string {
    return `${this.prefix}:stream:*`;
  }

  deadLetter(): string {
    return `${this.prefix}:dead-letter`;
  }

  /** Set of the pipelines paused by an operator. */
  paused(): string {
    return `${this.prefix}:paused`;
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
