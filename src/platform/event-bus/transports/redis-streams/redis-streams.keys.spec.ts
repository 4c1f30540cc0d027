import { describe, expect, it } from 'vitest';
import { RedisStreamsKeys, trimArguments } from './redis-streams.keys.js';

describe('Redis Streams keys and retention', () => {
  it('names a stream per event and finds the event back', () => {
    const keys = new RedisStreamsKeys('tributary');
    expect(keys.stream('purchase.completed')).toBe('tributary:stream:purchase.completed');
    expect(keys.eventOf('tributary:stream:purchase.completed')).toBe('purchase.completed');
    expect(keys.deadLetter()).toBe('tributary:dead-letter');
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
