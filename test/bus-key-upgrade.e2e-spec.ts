import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../src/platform/event-bus/event-envelope.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { busCatalogue } from './fixtures/bus/pipelines.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { prepareProfile, profiles, type ProfileResources, REDIS_URL } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const run = promisify(execFile);

/**
 * A deployment that ran before hash-tagged keys: its streams, groups, pending entries and dead
 * letters under the old names. The app refuses them; `npm run bus:upgrade-keys` moves them;
 * the app then delivers what was pending and lists what was dead. Redis only.
 */
describe.runIf(profiles.includes('real'))('upgrading the bus key layout on Redis', () => {
  let profile: ProfileResources;
  let prefix: string;
  let redis: Redis;
  let app: TestApp | undefined;

  beforeAll(async () => {
    profile = await prepareProfile('real');
    prefix = profile.overrides.bus!.keyPrefix!;
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await app?.close();
    redis?.disconnect();
    await profile?.dispose();
  });

  const start = () =>
    startTestApp(profile, {
      catalogue: busCatalogue,
      overrides: { pipelines: ['shipping'], bus: { claimIdleMs: 300 } },
    });

  it('refuses old keys at start, moves them with the command, then delivers the pending entry and lists the dead letter', async () => {
    // The old layout, as the previous release wrote it.
    const oldStream = `${prefix}:stream:order.placed`;
    const oldDeadLetters = `${prefix}:dead-letter`;
    await redis.xgroup('CREATE', oldStream, 'shipping', '0', 'MKSTREAM');
    const pending = createEnvelope(
      'order.placed',
      { orderId: 'pending-before-upgrade', amount: 1 },
      'orders',
    );
    await redis.xadd(oldStream, '*', 'envelope', JSON.stringify(pending));
    // Read by a consumer that died before acknowledging it.
    await redis.xreadgroup(
      'GROUP',
      'shipping',
      'crashed-consumer',
      'COUNT',
      1,
      'STREAMS',
      oldStream,
      '>',
    );
    const dead = createEnvelope(
      'order.placed',
      { orderId: 'dead-before-upgrade', amount: 2 },
      'orders',
    );
    const deadId = await redis.xadd(
      oldDeadLetters,
      '*',
      'event',
      'order.placed',
      'pipeline',
      'shipping',
      'reason',
      'max-deliveries',
      'error',
      'refused',
      'attempts',
      '5',
      'deadAt',
      new Date().toISOString(),
      'envelope',
      JSON.stringify(dead),
    );

    await expect(start()).rejects.toThrow(
      new RegExp(`${oldStream}, ${oldDeadLetters}\\).*npm run bus:upgrade-keys`),
    );

    const { stdout } = await run(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'src/upgrade-bus-keys.ts'],
      {
        env: { ...process.env, REDIS_URL, BUS_KEY_PREFIX: prefix, LOG_LEVEL: 'info' },
        timeout: 60_000,
      },
    );
    expect(stdout).toContain('1 streams renamed, 1 dead letters moved');
    expect(await redis.exists(oldStream, oldDeadLetters)).toBe(0);

    app = await start();
    const received = app.app.get(ReceivedEvents);
    const [delivered] = await eventually(() => {
      const done = received
        .done('shipping', 'order.placed')
        .filter((r) => r.envelope.id === pending.id);
      return done.length > 0 && done;
    });
    // Taken over from the crashed consumer: its second delivery.
    expect(delivered!.attempt).toBe(2);
    const letters = await app.app.get(EventBus).listDeadLetters(10);
    expect(letters).toEqual([
      expect.objectContaining({ id: deadId, event: 'order.placed', pipeline: 'shipping' }),
    ]);
  });
});
