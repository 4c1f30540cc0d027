import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorAfter, type DeadLetter, EventBus } from '../src/platform/event-bus/index.js';
import { RedisStreamsKeys } from '../src/platform/event-bus/transports/redis-streams/redis-streams.keys.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { writeDeadLetter } from './support/dead-letters.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const DEAD_LETTERS = '/api/v1/admin/dead-letters';
const ALPHA = 'paging-alpha.failed';
const BETA = 'paging-beta.failed';

/**
 * On Redis each event keeps its own dead-letter stream, so two events' dead letters may have
 * the same id (dead in the same millisecond, here written so with explicit ids). A page that
 * ends on one of them goes on with the other: the cursor is the id and the event. Redis only:
 * the in-process bus numbers every dead letter in one sequence.
 */
describe.runIf(profiles.includes('real'))('dead letters of equal ids paged on Redis', () => {
  let profile: ProfileResources;
  let app: TestApp;
  let redis: Redis;
  let bus: EventBus;

  // Newest first: by id, then by event name for equal ids (beta before alpha).
  const expected = [
    `${BETA}@1700000000000-2`,
    `${BETA}@1700000000000-1`,
    `${ALPHA}@1700000000000-1`,
    `${ALPHA}@1700000000000-0`,
  ];

  beforeAll(async () => {
    profile = await prepareProfile('real');
    const keys = new RedisStreamsKeys(profile.overrides.bus!.keyPrefix!);
    redis = new Redis(profile.overrides.redis!.url!);
    app = await startTestApp(profile, { catalogue: [] });
    bus = app.app.get(EventBus);
    // Oldest first, as XADD requires within a stream; the key layout is the client's.
    for (const entry of [...expected].reverse()) {
      const [event, id] = entry.split('@') as [string, string];
      await writeDeadLetter(redis, keys, {
        event,
        id,
        pipeline: 'paging-spec',
        payload: { entry },
      });
    }
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await profile?.dispose();
  });

  const named = (letters: DeadLetter[]) => letters.map((l) => `${l.event}@${l.id}`);

  it('lists every letter once when a page ends on an id two events share', async () => {
    const first = await bus.listDeadLetters(2);
    expect(named(first)).toEqual(expected.slice(0, 2));
    const second = await bus.listDeadLetters(2, cursorAfter(first.at(-1)!));
    expect(named(second)).toEqual(expected.slice(2));
    expect(await bus.listDeadLetters(2, cursorAfter(second.at(-1)!))).toEqual([]);
  });

  it('pages the admin API by the Link header through both letters of the shared id', async () => {
    const seen: string[] = [];
    let url: string | undefined = `${DEAD_LETTERS}?limit=1`;
    while (url) {
      const page: { body: unknown; headers: Record<string, string | undefined> } = await app
        .as('operator')
        .get(url)
        .expect(200);
      seen.push(...named(page.body as DeadLetter[]));
      const link: string | undefined = /^<([^>]+)>; rel="next"$/.exec(
        page.headers['link'] ?? '',
      )?.[1];
      const next = link === undefined ? undefined : new URL(link, 'http://app');
      url = next && `${next.pathname}${next.search}`;
    }
    expect(seen).toEqual(expected);
  });

  it('still takes a bare id as the cursor: the letters older than that id', async () => {
    const page = await app
      .as('operator')
      .get(DEAD_LETTERS)
      .query({ cursor: '1700000000000-1' })
      .expect(200);
    expect(named(page.body as DeadLetter[])).toEqual([`${ALPHA}@1700000000000-0`]);
    const afterBeta = await app
      .as('operator')
      .get(DEAD_LETTERS)
      .query({ cursor: `1700000000000-1~${BETA}` })
      .expect(200);
    expect(named(afterBeta.body as DeadLetter[])).toEqual(expected.slice(2));
    await app
      .as('operator')
      .get(DEAD_LETTERS)
      .query({ cursor: '1700000000000-1~NOT AN EVENT' })
      .expect(400);
  });

  it('replays in bulk both letters of the shared id, each by its event', async () => {
    const result = await app
      .as('admin')
      .post(`${DEAD_LETTERS}/bulk/replay`)
      .send({ filter: {} })
      .expect(200);
    expect(result.body).toEqual({ replayed: 4, skipped: 0, more: false });
    expect(await bus.listDeadLetters(10)).toEqual([]);
  });
});
