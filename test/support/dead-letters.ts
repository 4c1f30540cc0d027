import type { Redis } from 'ioredis';
import { createEnvelope } from '../../src/platform/event-bus/index.js';
import type { RedisStreamsKeys } from '../../src/platform/event-bus/transports/redis-streams/redis-streams.keys.js';

/**
 * Writes a dead letter of `event` under the explicit `id` in its event's dead-letter stream,
 * with the fields the stream consumer writes (see `toDeadLetter`): how specs give two events'
 * dead letters the same id, as two deaths in one millisecond would. Within one stream, ids
 * must grow.
 */
export async function writeDeadLetter(
  redis: Redis,
  keys: RedisStreamsKeys,
  letter: { event: string; id: string; pipeline: string; payload: unknown },
): Promise<void> {
  const envelope = createEnvelope(letter.event, letter.payload, 'test');
  await redis.xadd(
    keys.deadLetter(letter.event),
    letter.id,
    ...[
      ['event', letter.event],
      ['pipeline', letter.pipeline],
      ['reason', 'non-retriable'],
      ['error', 'refused'],
      ['attempts', '1'],
      ['deadAt', new Date().toISOString()],
      ['envelope', JSON.stringify(envelope)],
    ].flat(),
  );
}
