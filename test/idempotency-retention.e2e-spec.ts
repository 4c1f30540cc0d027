import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyKey } from '../src/integrations/purchase/pipelines/purchases/idempotency-key.entity.js';
import { IdempotencyStore } from '../src/integrations/purchase/pipelines/purchases/idempotency/idempotency-store.js';
import { PurchasesModule } from '../src/integrations/purchase/pipelines/purchases/purchases.module.js';
import { purchasesPipeline } from '../src/integrations/purchase/pipelines/purchases/purchases.pipeline.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { addCard as addCardTo } from './support/purchases.js';
import { runTaskNow } from './support/recurring-tasks.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const PURGE = 'purchases-idempotency-purge';
/** Short enough to wait out, long enough for a replay to come well within it. */
const RETENTION_MS = 2_000;
const BATCH_SIZE = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(profiles)('Idempotency-Key retention on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: [{ pipeline: purchasesPipeline, module: PurchasesModule }],
      overrides: {
        purchaseFlow: {
          idempotencyRetentionMs: RETENTION_MS,
          // The purge runs only when a spec asks (POST /admin/reprocessing/run).
          idempotencyPurge: { intervalMs: 3_600_000, batchSize: BATCH_SIZE },
        },
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  const unique = () => randomBytes(5).toString('hex');
  const db = () => app.app.get(DataSource);
  const keys = () => db().getRepository(IdempotencyKey);
  const count = async (sql: string, params: unknown[] = []) =>
    Number(((await db().query(sql, params)) as { n: number | string }[])[0]!.n);
  const purchasesOf = (card: string) =>
    count('SELECT COUNT(*) AS n FROM purchases WHERE card_token = ?', [card]);
  const stored = (key: string) =>
    count('SELECT COUNT(*) AS n FROM idempotency_keys WHERE id = ?', [`purchases:${key}`]);

  const addCard = () => addCardTo(db());

  const purchase = (cardToken: string, amount = 1250) => ({
    cardToken,
    amount,
    currency: 'EUR',
    merchantId: 'corner-books',
    merchantName: 'Corner Books',
    purchaserEmail: 'ada@example.com',
  });

  const post = (key: string, body: object) =>
    app.http.post('/api/v1/purchases').set('Idempotency-Key', key).send(body);

  const runPurge = () => runTaskNow(app, PURGE);

  it('replays the recorded answer within the retention; once purged, the same key is a new purchase', async () => {
    const card = await addCard();
    const key = `key-${unique()}`;
    const first = await post(key, purchase(card)).expect(201);
    const replay = await post(key, purchase(card)).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await purchasesOf(card)).toBe(1);

    await sleep(RETENTION_MS);
    await runPurge();
    expect(await stored(key)).toBe(0);

    const again = await post(key, purchase(card)).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.id).not.toBe(first.body.id);
    expect(await purchasesOf(card)).toBe(2);
    // The key is recorded again, with its new answer.
    const replayOfNew = await post(key, purchase(card)).expect(201);
    expect(replayOfNew.headers['idempotent-replayed']).toBe('true');
    expect(replayOfNew.body.id).toBe(again.body.id);
  });

  it('treats a key past its retention as new before the purge reaches it, with another body too', async () => {
    const card = await addCard();
    const key = `key-${unique()}`;
    await post(key, purchase(card)).expect(201);
    // Within the retention, another body under the key is refused.
    await post(key, purchase(card, 999)).expect(422);

    await sleep(RETENTION_MS);
    expect(await stored(key)).toBe(1);
    const other = await post(key, purchase(card, 999)).expect(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(other.body.amount).toBe(999);
    expect(await purchasesOf(card)).toBe(2);
  });

  describe('the purge', () => {
    /** Keys as they stand at `now`: which the purge must keep, and which it may delete. */
    function keysAt(now: Date) {
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const key = (
        id: string,
        patch: Partial<Pick<IdempotencyKey, 'status' | 'createdAt' | 'lockedUntil'>> = {},
      ) => ({
        id: `purge-spec:${id}`,
        requestHash: 'f'.repeat(64),
        status: 'completed' as const,
        owner: '00000000-0000-4000-8000-000000000000',
        lockedUntil: ago(1),
        responseStatus: 201,
        responseBody: { id },
        createdAt: now,
        ...patch,
      });
      /** Past the retention; the larger n, the younger. */
      const old = (n: number) => ago(RETENTION_MS + 60_000 - n);
      return {
        /** Too young, or still locked by their request. */
        kept: [
          key('fresh-completed'),
          key('fresh-abandoned', { status: 'in-progress' }),
          key('old-locked', {
            status: 'in-progress',
            createdAt: old(0),
            lockedUntil: new Date(now.getTime() + 3_600_000),
          }),
        ],
        oldCompleted: (n: number) => key(`old-completed-${n}`, { createdAt: old(n) }),
        /** Left by a request that died holding it. */
        oldAbandoned: (n: number) =>
          key(`old-abandoned-${n}`, { status: 'in-progress', createdAt: old(n) }),
      };
    }

    const remaining = async () =>
      (await keys().find({ select: { id: true }, order: { id: 'ASC' } })).map((k) => k.id);
    const KEPT = ['fresh-abandoned', 'fresh-completed', 'old-locked'].map(
      (id) => `purge-spec:${id}`,
    );

    it('deletes expired keys a bounded batch at a time, oldest first; keeps fresh and locked ones', async () => {
      const now = new Date();
      const { kept, oldCompleted, oldAbandoned } = keysAt(now);
      await keys().clear();
      await keys().insert([...kept, ...[1, 2, 3, 4, 5].map(oldCompleted), oldAbandoned(6)]);
      const store = app.app.get(IdempotencyStore);

      expect(await store.purgeExpired(BATCH_SIZE, now)).toBe(BATCH_SIZE);
      const afterOne = await remaining();
      expect(afterOne).not.toContain('purge-spec:old-completed-1');
      expect(afterOne).not.toContain('purge-spec:old-completed-2');
      expect(afterOne).toContain('purge-spec:old-completed-3');

      const batches: number[] = [];
      for (let n = -1; n !== 0;) batches.push((n = await store.purgeExpired(BATCH_SIZE, now)));
      expect(batches).toEqual([2, 2, 0]);
      expect(await remaining()).toEqual(KEPT);
    });

    it('clears a backlog larger than a batch in one scheduled run', async () => {
      const { kept, oldCompleted, oldAbandoned } = keysAt(new Date());
      await keys().clear();
      await keys().insert([...kept, ...[1, 2, 3, 4, 5, 6].map(oldCompleted), oldAbandoned(7)]);
      await runPurge();
      expect(await remaining()).toEqual(KEPT);
    });
  });
});
