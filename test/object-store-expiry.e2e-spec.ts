import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreEntry } from '../src/platform/object-store/object-store-entry.entity.js';
import { ObjectStore, type StoredFailure } from '../src/platform/object-store/object-store.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { runTaskNow } from './support/recurring-tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ADMIN = '/api/v1/admin';
const PURGE = 'object-store-purge';
/** Short enough to wait out once. */
const RETENTION_MS = 1_000;
const BATCH_SIZE = 2;
const HOUR = 3_600_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(profiles)('Object Store expiry on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    // No pipeline at all: the purge comes with the Object Store, which every process has.
    app = await startTestApp(profile, {
      catalogue: [],
      overrides: {
        objectStore: {
          doneRetentionMs: RETENTION_MS,
          // The purge runs only when a spec asks (POST /admin/reprocessing/run).
          purge: { intervalMs: HOUR, batchSize: BATCH_SIZE },
        },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  const store = () => app.app.get(ObjectStore);
  /** A store of its own per spec: the purge is global, what a spec looks at is not. */
  const newStore = () => `expiry-spec-${randomBytes(4).toString('hex')}`;
  const failure = (key: string, patch: Partial<StoredFailure> = {}): StoredFailure => ({
    key,
    payload: { key },
    error: { code: 'target-unavailable', message: 'no answer', retriable: true },
    nextAttemptAt: new Date(),
    ...patch,
  });
  const entriesOf = async (name: string) =>
    Object.fromEntries(
      (await app.app.get(DataSource).getRepository(ObjectStoreEntry).findBy({ store: name })).map(
        (e) => [e.key, e],
      ),
    );

  const runPurge = () => runTaskNow(app, PURGE);

  it('keeps a done entry for the retention, then purges it; pending, dead and held entries stay', async () => {
    const name = newStore();
    const before = Date.now();
    await store().put(name, [
      failure('completed'),
      failure('kept-for-good'),
      failure('pending', { nextAttemptAt: new Date(before + HOUR) }),
      failure('marked-done'),
      failure('marked-dead', { expiresAt: new Date(before + HOUR) }),
      failure('held'),
    ]);
    await store().complete(name, ['completed']);
    await store().complete(name, ['kept-for-good'], null);
    const claim = await store().claimDue(name, { limit: 10, leaseMs: HOUR });
    const claimed = (key: string) => claim.entries.find((e) => e.key === key)!;
    expect(await store().markDone(claimed('marked-done'), claim.owner)).toBe(true);
    expect(await store().markDead(claimed('marked-dead'), claim.owner)).toBe(true);
    // Its pipeline's expiry passes while a reprocessor holds it.
    await app.app
      .get(DataSource)
      .getRepository(ObjectStoreEntry)
      .update({ id: claimed('held').id }, { expiresAt: new Date(before - 1) });
    const after = Date.now();

    const settled = await entriesOf(name);
    for (const key of ['completed', 'marked-done']) {
      expect(settled[key]!.status).toBe('done');
      const expiresAt = settled[key]!.expiresAt!.getTime();
      expect(expiresAt).toBeGreaterThanOrEqual(before + RETENTION_MS);
      expect(expiresAt).toBeLessThanOrEqual(after + RETENTION_MS);
    }
    expect(settled['kept-for-good']).toMatchObject({ status: 'done', expiresAt: null });
    expect(settled['marked-dead']).toMatchObject({ status: 'dead', expiresAt: null });
    expect(settled['pending']).toMatchObject({ status: 'pending', expiresAt: null });
    // Operators see when an entry goes.
    const { body: view } = await app
      .as('operator')
      .get(`${ADMIN}/object-store/${settled['completed']!.id}`)
      .expect(200);
    expect(view.expiresAt).toBe(settled['completed']!.expiresAt!.toISOString());

    // Within the retention, nothing of it is deleted.
    await store().purgeExpired(100, new Date(before + RETENTION_MS - 1));
    expect(Object.keys(await entriesOf(name))).toHaveLength(6);

    await sleep(after + RETENTION_MS + 1 - Date.now());
    await runPurge();
    expect(Object.keys(await entriesOf(name)).sort()).toEqual([
      'held',
      'kept-for-good',
      'marked-dead',
      'pending',
    ]);
  });

  it('stops trying a pending entry past the expiry its pipeline gave it, and purges it', async () => {
    const name = newStore();
    const now = Date.now();
    await store().put(name, [
      failure('expired', { nextAttemptAt: new Date(now - 1000), expiresAt: new Date(now - 1) }),
      failure('not-yet', { nextAttemptAt: new Date(now - 1000), expiresAt: new Date(now + HOUR) }),
    ]);
    const claim = await store().claimDue(name, { limit: 10, leaseMs: HOUR });
    expect(claim.entries.map((e) => e.key)).toEqual(['not-yet']);
    await store().release(claim.entries[0]!, claim.owner);

    await runPurge();
    expect(Object.keys(await entriesOf(name))).toEqual(['not-yet']);
  });

  it('lets an operator requeue an expired entry: it loses its expiry and the purge leaves it', async () => {
    const name = newStore();
    const past = new Date(Date.now() - 1);
    await store().put(name, [
      failure('one', { nextAttemptAt: new Date(Date.now() + HOUR), expiresAt: past }),
      failure('bulk-1', { nextAttemptAt: new Date(Date.now() + HOUR), expiresAt: past }),
      failure('bulk-2', { nextAttemptAt: new Date(Date.now() + HOUR), expiresAt: past }),
    ]);
    const { one } = await entriesOf(name);
    const requeued = await app
      .as('operator')
      .post(`${ADMIN}/object-store/${one!.id}/reprocess`)
      .send({})
      .expect(200);
    expect(requeued.body).toMatchObject({ status: 'pending', expiresAt: null });
    const bulk = await app
      .as('operator')
      .post(`${ADMIN}/object-store/bulk/reprocess`)
      .send({ filter: { store: name, keyPrefix: 'bulk-' } })
      .expect(200);
    expect(bulk.body).toEqual({ affected: 2 });

    await runPurge();
    const kept = await entriesOf(name);
    expect(Object.keys(kept).sort()).toEqual(['bulk-1', 'bulk-2', 'one']);
    expect(Object.values(kept).map((e) => e.expiresAt)).toEqual([null, null, null]);
    // And its reprocessor takes it again.
    const claim = await store().claimDue(name, { limit: 10, leaseMs: HOUR });
    expect(claim.entries).toHaveLength(3);
  });

  it('purges a bounded batch per call, soonest expired first, and a larger backlog in one run', async () => {
    const name = newStore();
    const keys = ['e1', 'e2', 'e3', 'e4', 'e5'];
    await store().put(
      name,
      keys.map((key) => failure(key)),
    );
    // Long expired, so that they come before anything else expired in the table.
    for (const [i, key] of keys.entries())
      await store().complete(name, [key], new Date(Date.UTC(2000, 0, 1 + i)));

    expect(await store().purgeExpired(BATCH_SIZE)).toBe(BATCH_SIZE);
    expect(Object.keys(await entriesOf(name)).sort()).toEqual(['e3', 'e4', 'e5']);

    await runPurge();
    expect(await entriesOf(name)).toEqual({});
    const { body: schedule } = await app.as('operator').get(`${ADMIN}/reprocessing`).expect(200);
    expect(schedule.find((t: { name: string }) => t.name === PURGE)).toMatchObject({
      everyMs: HOUR,
      running: false,
    });
  });
});
