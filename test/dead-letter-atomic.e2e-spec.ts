import { Injectable, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { IsString } from 'class-validator';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineEvent,
  EventBus,
  EventTrigger,
  NonRetriableEventError,
  Triggers,
} from '../src/platform/event-bus/index.js';
import { RedisStreamsKeys } from '../src/platform/event-bus/transports/redis-streams/redis-streams.keys.js';
import { definePipeline, PipelineModule } from '../src/platform/pipeline/index.js';
import {
  captureLogs,
  eventually,
  prepareProfile,
  profiles,
  type ProfileResources,
  startTestApp,
  type TestApp,
} from './support/index.js';
import { REDIS_URL } from './support/profiles.js';

/** One capture for the file: nestjs-pino keeps the first app's stream. */
const { lines, logStream } = captureLogs();

class Letter {
  @IsString() key!: string;
}

const posted = defineEvent('dead-letter-test.posted', Letter);
const refusing = definePipeline({
  name: 'dead-letter-refusing',
  role: 'subscriber',
  description: 'Refuses every letter for good',
});

@Injectable()
class Calls {
  readonly keys: string[] = [];
}

@Triggers()
class RefusingTrigger {
  constructor(private readonly calls: Calls) {}

  @EventTrigger(posted, { pipeline: refusing.name })
  onPosted(@Payload() letter: Letter) {
    this.calls.keys.push(letter.key);
    throw new NonRetriableEventError(`refused ${letter.key}`);
  }
}

@Module({
  imports: [PipelineModule.register(refusing)],
  providers: [Calls],
  controllers: [RefusingTrigger],
})
class RefusingModule {}

/**
 * Dead-lettering writes the dead letter and acknowledges the event in one script, or does
 * neither: a dead letter that cannot be written (the key holds something else: WRONGTYPE)
 * leaves the event pending, says so, and is tried again later. Redis only: the in-process
 * dead letters are an array in memory, written before the event stops counting as pending.
 */
describe.runIf(profiles.includes('real'))('dead-lettering on Redis, all or nothing', () => {
  let profile: ProfileResources;
  let app: TestApp;
  let redis: Redis;
  let keys: RedisStreamsKeys;

  beforeAll(async () => {
    profile = await prepareProfile('real');
    keys = new RedisStreamsKeys(profile.overrides.bus!.keyPrefix!);
    redis = new Redis(REDIS_URL);
    app = await startTestApp(profile, {
      catalogue: [{ pipeline: refusing, module: RefusingModule }],
      logStream,
      overrides: { bus: { retry: { baseDelayMs: 50, maxDelayMs: 200 } } },
    });
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await profile?.dispose();
  });

  const pendingIds = async () =>
    (
      (await redis.xpending(keys.stream(posted.name), refusing.name, '-', '+', 10)) as string[][]
    ).map(([id]) => id);

  it('leaves the event pending when its dead letter cannot be written, then dead-letters it once it can', async () => {
    await redis.set(keys.deadLetter(posted.name), 'not a stream');
    const bus = app.app.get(EventBus);
    const envelope = await bus.publish(posted, { key: 'blocked' }, 'test');

    // The first word on it: before, the event was acknowledged and logged as dead-lettered.
    const failure = await eventually(
      () =>
        lines.find(
          (line) =>
            line.level === 50 &&
            line.msg?.startsWith(posted.name) &&
            line.msg.includes('dead-lettered'),
        ),
      10_000,
      'the dead-lettering to be logged',
    );
    expect(failure.msg).toContain('could not be dead-lettered');
    expect(failure.msg).toContain(`${posted.name} `);
    expect(failure.msg).toContain(`for ${refusing.name} (non-retriable)`);
    expect(failure.msg).toContain('WRONGTYPE');
    expect(failure.msg).toContain('stays pending');
    // Still pending in the group, not acknowledged; and no dead letter anywhere.
    const [entryId] = await pendingIds();
    expect(entryId).toBeDefined();
    expect(await redis.type(keys.deadLetter(posted.name))).toBe('string');
    // Tried again, and still refused while the key is wrong; never reported as dead-lettered.
    await eventually(
      () => lines.filter((line) => line.msg?.includes('could not be dead-lettered')).length >= 2,
      10_000,
      'a second attempt',
    );
    expect(await pendingIds()).toEqual([entryId]);
    expect(lines.some((line) => line.msg?.includes(`${entryId} dead-lettered`))).toBe(false);

    await redis.del(keys.deadLetter(posted.name));
    const letter = await eventually(
      async () =>
        (await bus.listDeadLetters(10)).find(
          (l) => typeof l.envelope === 'object' && l.envelope.id === envelope.id,
        ),
      10_000,
      'the event to be dead-lettered once the key is free',
    );
    expect(letter).toMatchObject({
      pipeline: refusing.name,
      reason: 'non-retriable',
      error: expect.stringContaining('refused blocked'),
      attempts: 1,
    });
    expect(await pendingIds()).toEqual([]);
    // The handler ran once: the later attempts only wrote the dead letter it already owed.
    expect(app.app.get(Calls).keys).toEqual(['blocked']);
    expect(await redis.xlen(keys.deadLetter(posted.name))).toBe(1);
  });
});
