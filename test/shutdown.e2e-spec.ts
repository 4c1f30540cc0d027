import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startAppProcess } from './harness/app-process.js';
import {
  openProfileDatabase,
  prepareProfile,
  processEnv,
  profiles,
  type ProfileResources,
} from './support/profiles.js';
import { addCard } from './support/purchases.js';
import { acceptedIds, purchaseTraffic } from './support/purchase-traffic.js';
import { eventually } from './support/test-app.js';

/** Far beyond `shutdown.timeoutMs` (5 s in config/test.json): only a process that never exits meets it. */
const GRACE_MS = 30_000;

/**
 * A SIGTERM while callers keep buying over kept-alive connections, as a load balancer's callers
 * do: the process stops taking HTTP work first (it stops listening, and a request on a
 * connection still open is answered 503 problem details with `Retry-After` and
 * `Connection: close`), then drains the bus, then exits by itself. The app runs as its own OS
 * process (src/main.ts, which turns the signal into Nest's shutdown), on both profiles.
 */
describe.each(profiles)('SIGTERM under load (%s profile)', (name) => {
  let profile: ProfileResources;
  let app: AppProcess | undefined;
  let db: DataSource;

  beforeAll(async () => {
    profile = await prepareProfile(name);
    app = await startAppProcess({ entry: 'src/main.ts', env: processEnv(profile, 'purchases') });
    // The app migrated the database; the spec adds its card beside it.
    db = await openProfileDatabase(profile);
  });
  afterAll(async () => {
    await app?.kill();
    await db?.destroy();
    await profile?.dispose();
  });

  it('refuses new work with a 503 that closes its connection, then exits by itself', async () => {
    const card = await addCard(db);
    const traffic = purchaseTraffic(app!, card, { callers: 4, pauseMs: 0 });
    await eventually(() => acceptedIds(traffic.answers).length >= 20, 20_000, 'purchases accepted');

    const sigtermAt = Date.now();
    const stopped = await app!.stop(GRACE_MS);
    const answers = await traffic.stop();

    expect(stopped, 'how the process ended after SIGTERM').toBe('exited');
    // After the signal, a request is accepted (it was in flight), refused with a 503 that
    // tells the caller to go elsewhere, or finds the port closed (status 0).
    const refusals = answers.filter((a) => a.status !== 201 && a.status !== 0);
    expect(refusals.filter((a) => a.sentAt < sigtermAt).map((a) => a.status)).toEqual([]);
    for (const refusal of refusals) {
      expect(refusal.status).toBe(503);
      expect(refusal.headers!.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refusal.headers!.get('connection')).toBe('close');
      expect(Number(refusal.headers!.get('retry-after'))).toBeGreaterThan(0);
    }
  });
});
