import { describe, expect, it } from 'vitest';
import { LegacyRedisStreamsKeys, RedisStreamsKeys, trimArguments } from './redis-streams.keys.js';

describe('Redis Streams keys and retention', () => {
  it('names a stream and a dead-letter stream per event, tagged alike, and finds the event back', () => {
    const keys = new RedisStreamsKeys('tributary');
    expect(keys.stream('purchase.completed')).toBe('tributary:stream:{purchase.completed}');
    expect(keys.deadLetter('purchase.completed')).toBe(
      'tributary:dead-letter:{purchase.completed}',
    );
    expect(keys.eventOf('tributary:stream:{purchase.completed}')).toBe('purchase.completed');
    expect(keys.eventOf('tributary:dead-letter:{purchase.completed}')).toBe('purchase.completed');
  });

  it('tells the old layout apart from the new one', () => {
    const legacy = new LegacyRedisStreamsKeys('tributary');
    expect(legacy.isStream('tributary:stream:purchase.completed')).toBe(true);
    expect(legacy.isStream('tributary:stream:{purchase.completed}')).toBe(false);
    expect(legacy.eventOf('tributary:stream:purchase.completed')).toBe('purchase.completed');
    expect(legacy.deadLetter()).toBe('tributary:dead-letter');
  });

  it('trims by length by default, by age where an event says so', () => {
    const config = {
      retention: { maxLength: 1000 },
      streams: { 'audit.logged': { maxAgeMs: 60_000 } },
    };
    expect(trimArguments(config, 'purchase.completed')).toEqual(['MAXLEN', '~', 1000]);
    expect(trimArguments(config, 'audit.logged', 1_000_000)).toEqual(['MINID', '~', 940_000]);
  });

  it('does not trim when no retention is set', () => {
    expect(trimArguments({ retention: {}, streams: {} }, 'x')).toEqual([]);
  });
});
