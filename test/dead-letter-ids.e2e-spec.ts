import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStreamsKeys } from '../src/platform/event-bus/transports/redis-streams/redis-streams.keys.js';
import { prepareProfile, profiles, type ProfileResources, REDIS_URL } from './support/profiles.js';
import { writeDeadLetter } from './support/dead-letters.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ADMIN = '/api/v1/admin';
const FIRST = 'dead-letter-ids.first';
const SECOND = 'dead-letter-ids.second';
const PIPELINE = 'dead-letter-ids-pipeline';

/**
 * Dead-letter ids are unique per event's dead letters only: two events' dead letters made in
 * the same millisecond share an id. Replaying or deleting by such an id must not pick one:
 * 409 naming the events, and `?event=` acts on the one named only. Redis only: the in-process
 * bus numbers every dead letter from one sequence.
 */
describe.runIf(profiles.includes('real'))('a dead-letter id held by two events', () => {
  let profile: ProfileResources;
  let app: TestApp;
  let redis: Redis;
  let keys: RedisStreamsKeys;
  let sequence = 0;

  beforeAll(async () => {
    profile = await prepareProfile('real');
    keys = new RedisStreamsKeys(profile.overrides.bus!.keyPrefix!);
    redis = new Redis(REDIS_URL);
    app = await startTestApp(profile, { catalogue: [] });
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await profile?.dispose();
  });

  /** The same explicit id under both events, as two deaths in one millisecond would make. */
  async function sharedId(): Promise<string> {
    const id = `1700000000000-${++sequence}`;
    for (const event of [FIRST, SECOND]) {
      await writeDeadLetter(redis, keys, {
        event,
        id,
        pipeline: PIPELINE,
        payload: { which: event },
      });
    }
    return id;
  }
  const deadLetterIds = async (event: string) =>
    ((await redis.xrange(keys.deadLetter(event), '-', '+')) as [string, string[]][]).map(
      ([id]) => id,
    );
  const streamLength = (event: string) => redis.xlen(keys.stream(event));

  it('refuses a replay by a shared id with 409 naming both events, and acts on neither', async () => {
    const id = await sharedId();
    const res = await app
      .as('operator')
      .post(`${ADMIN}/dead-letters/${id}/replay`)
      .send({})
      .expect(409)
      .expect('Content-Type', /application\/problem\+json/);
    expect(res.body.code).toBe('dead-letter-ambiguous');
    expect(res.body.detail).toContain(FIRST);
    expect(res.body.detail).toContain(SECOND);
    expect(res.body.detail).toContain('?event=');
    expect(await deadLetterIds(FIRST)).toContain(id);
    expect(await deadLetterIds(SECOND)).toContain(id);
    expect(await streamLength(FIRST)).toBe(0);
    expect(await streamLength(SECOND)).toBe(0);
  });

  it('replays only the event named by ?event=', async () => {
    const id = await sharedId();
    const res = await app
      .as('operator')
      .post(`${ADMIN}/dead-letters/${id}/replay`)
      .query({ event: SECOND })
      .send({})
      .expect(200);
    expect(res.body.event).toBe(SECOND);
    expect(res.body.envelope.payload).toEqual({ which: SECOND });
    expect(await deadLetterIds(SECOND)).not.toContain(id);
    expect(await deadLetterIds(FIRST)).toContain(id);
    expect(await streamLength(SECOND)).toBe(1);
    expect(await streamLength(FIRST)).toBe(0);
  });

  it('refuses a delete by a shared id with 409, and deletes only the event named by ?event=', async () => {
    const id = await sharedId();
    const refused = await app.as('admin').delete(`${ADMIN}/dead-letters/${id}`).expect(409);
    expect(refused.body.code).toBe('dead-letter-ambiguous');
    expect(await deadLetterIds(FIRST)).toContain(id);
    expect(await deadLetterIds(SECOND)).toContain(id);

    await app.as('admin').delete(`${ADMIN}/dead-letters/${id}`).query({ event: FIRST }).expect(204);
    expect(await deadLetterIds(FIRST)).not.toContain(id);
    expect(await deadLetterIds(SECOND)).toContain(id);
    // Now one event holds it: the id alone is enough again.
    await app.as('admin').delete(`${ADMIN}/dead-letters/${id}`).expect(204);
    expect(await deadLetterIds(SECOND)).not.toContain(id);
  });

  it('answers 404 for an id the named event does not hold, and 400 for a malformed event', async () => {
    const id = await sharedId();
    await app
      .as('admin')
      .delete(`${ADMIN}/dead-letters/${id}`)
      .query({ event: 'dead-letter-ids.other' })
      .expect(404);
    const bad = await app
      .as('admin')
      .delete(`${ADMIN}/dead-letters/${id}`)
      .query({ event: '../x' })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('event');
  });
});
