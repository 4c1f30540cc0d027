import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSpecDatabase } from '../../../test/support/databases.js';
import { profileDatabases } from '../../../test/support/profiles.js';
import { settingsOf } from '../config/index.js';
import { objectStoreConfig } from './object-store.config.js';
import { ObjectStoreEntry } from './object-store-entry.entity.js';
import { ObjectStore, type StoredFailure } from './object-store.js';

const HOUR = 3_600_000;
const RETENTION_MS = 7 * 24 * HOUR;

/**
 * Every transition a pipeline and its reprocessor make, and the refusal of each, on the real
 * schema of both databases (see the table in object-store-transitions.ts).
 */
describe.each(profileDatabases)('the Object Store on %s', (kind) => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let store: ObjectStore;

  beforeAll(async () => {
    database = await openSpecDatabase(kind, [ObjectStoreEntry]);
    const settings = settingsOf(objectStoreConfig, { doneRetentionMs: RETENTION_MS });
    store = new ObjectStore(settings, database.dataSource.getRepository(ObjectStoreEntry));
  });
  afterAll(() => database?.close());

  /** A store of its own per spec: what one spec leaves is never claimed by another. */
  const newStore = () => `spec-${randomBytes(4).toString('hex')}`;
  const failure = (key: string, patch: Partial<StoredFailure> = {}): StoredFailure => ({
    key,
    payload: { key },
    error: { code: 'target-unavailable', message: 'no answer', retriable: true },
    nextAttemptAt: new Date(Date.now() - 1000),
    ...patch,
  });
  const entry = async (name: string, key: string) => (await store.get(name, key))!;
  /** Stores `keys` due now and claims them all. */
  const claimed = async (name: string, keys: string[], leaseMs = HOUR) => {
    await store.put(
      name,
      keys.map((k) => failure(k)),
    );
    const claim = await store.claimDue(name, { limit: 100, leaseMs });
    const of = (key: string) => claim.entries.find((e) => e.key === key)!;
    return { owner: claim.owner, of };
  };

  describe('stored (put, add)', () => {
    it('puts a new key as pending, its message cut to 4000 characters', async () => {
      const name = newStore();
      const message = 'x'.repeat(5000);
      await store.put(name, [failure('a', { error: { code: 'c', message, retriable: false } })]);
      expect(await entry(name, 'a')).toMatchObject({
        status: 'pending',
        attempts: 0,
        retriable: false,
        errorCode: 'c',
        lastError: 'x'.repeat(4000),
        leaseOwner: null,
        payload: { key: 'a' },
      });
    });

    it('puts a known key back to pending from any state, its attempts kept', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['a']);
      await store.retryLater(of('a'), owner, {
        error: { code: 'first', message: 'first', retriable: true },
        nextAttemptAt: new Date(Date.now() - 1000),
      });
      const again = await store.claimDue(name, { limit: 1, leaseMs: HOUR });
      await store.markDead(again.entries[0]!, again.owner);
      expect((await entry(name, 'a')).status).toBe('dead');

      await store.put(name, [
        failure('a', { error: { code: 'second', message: 'second', retriable: true } }),
      ]);
      expect(await entry(name, 'a')).toMatchObject({
        status: 'pending',
        attempts: 1,
        errorCode: 'second',
        leaseOwner: null,
        leaseUntil: null,
      });
    });

    it('adds a new key, and refuses a known one, which stays as it was', async () => {
      const name = newStore();
      expect(await store.add(name, failure('a'))).toBe(true);
      const before = await entry(name, 'a');
      expect(before.status).toBe('pending');
      expect(await store.add(name, failure('a', { payload: { other: true } }))).toBe(false);
      expect(await entry(name, 'a')).toEqual(before);
    });
  });

  describe('claim', () => {
    it('claims due pending entries under a lease, soonest due first, up to the limit', async () => {
      const name = newStore();
      const now = Date.now();
      await store.put(name, [
        failure('later', { nextAttemptAt: new Date(now - 1000) }),
        failure('first', { nextAttemptAt: new Date(now - 5000) }),
        failure('third', { nextAttemptAt: new Date(now - 500) }),
      ]);
      const claim = await store.claimDue(name, { limit: 2, leaseMs: HOUR });
      expect(claim.entries.map((e) => e.key).sort()).toEqual(['first', 'later']);
      for (const claimedEntry of claim.entries) {
        expect(claimedEntry).toMatchObject({ status: 'leased', leaseOwner: claim.owner });
        expect(claimedEntry.leaseUntil!.getTime()).toBeGreaterThan(now + HOUR - 60_000);
      }
    });

    it('refuses entries not due yet, past their expiry, held, done or dead', async () => {
      const name = newStore();
      const now = Date.now();
      await store.put(name, [
        failure('not-yet', { nextAttemptAt: new Date(now + HOUR) }),
        failure('expired', { expiresAt: new Date(now - 1) }),
        failure('held'),
        failure('done'),
        failure('dead'),
      ]);
      const first = await store.claimDue(name, { limit: 3, leaseMs: HOUR });
      expect(first.entries.map((e) => e.key).sort()).toEqual(['dead', 'done', 'held']);
      const of = (key: string) => first.entries.find((e) => e.key === key)!;
      await store.markDone(of('done'), first.owner);
      await store.markDead(of('dead'), first.owner);

      const second = await store.claimDue(name, { limit: 10, leaseMs: HOUR });
      expect(second.entries).toEqual([]);
      expect((await entry(name, 'held')).leaseOwner).toBe(first.owner);
    });

    it('claims again an entry whose holder let its lease run out, leased or handed back', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['leased', 'handed-back'], -60_000);
      expect(await store.handedBack(of('handed-back'), owner, -60_000)).toBe(true);

      const next = await store.claimDue(name, { limit: 10, leaseMs: HOUR });
      expect(next.entries.map((e) => e.key).sort()).toEqual(['handed-back', 'leased']);
      expect(next.owner).not.toBe(owner);
      // The former holder lost it: its outcome no longer counts.
      expect(await store.markDone(of('leased'), owner)).toBe(false);
      expect((await entry(name, 'leased')).leaseOwner).toBe(next.owner);
    });
  });

  describe("its holder's transitions", () => {
    const stranger = 'not-the-holder';

    it('hands an entry back: reprocessing, one attempt more, awaited until the new lease', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['a']);
      expect(await store.handedBack(of('a'), stranger, HOUR)).toBe(false);
      expect(await entry(name, 'a')).toMatchObject({ status: 'leased', attempts: 0 });

      const before = Date.now();
      expect(await store.handedBack(of('a'), owner, 2 * HOUR)).toBe(true);
      const handedBack = await entry(name, 'a');
      expect(handedBack).toMatchObject({ status: 'reprocessing', attempts: 1 });
      expect(handedBack.leaseUntil!.getTime()).toBeGreaterThanOrEqual(before + 2 * HOUR - 1000);
      // Handed back, it is no longer its holder's to settle, nor to hand back twice.
      expect(await store.handedBack(of('a'), owner, HOUR)).toBe(false);
      expect(await store.markDone(of('a'), owner)).toBe(false);
      expect((await entry(name, 'a')).attempts).toBe(1);
    });

    it('retries later: pending at the new time, one attempt more, the new error and payload', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['a']);
      const update = {
        error: { code: 'again', message: 'failed again', retriable: true },
        nextAttemptAt: new Date(Date.now() + HOUR),
        payload: { key: 'a', progress: 3 },
      };
      expect(await store.retryLater(of('a'), stranger, update)).toBe(false);
      expect(await entry(name, 'a')).toMatchObject({
        status: 'leased',
        errorCode: 'target-unavailable',
      });

      expect(await store.retryLater(of('a'), owner, update)).toBe(true);
      const retried = await entry(name, 'a');
      expect(retried).toMatchObject({
        status: 'pending',
        attempts: 1,
        errorCode: 'again',
        lastError: 'failed again',
        payload: { key: 'a', progress: 3 },
        leaseOwner: null,
        leaseUntil: null,
      });
      expect(retried.nextAttemptAt!.getTime()).toBe(update.nextAttemptAt.getTime());
    });

    it('releases an entry untouched, due at once', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['a']);
      await store.release(of('a'), stranger);
      expect((await entry(name, 'a')).status).toBe('leased');

      await store.release(of('a'), owner);
      expect(await entry(name, 'a')).toMatchObject({
        status: 'pending',
        attempts: 0,
        leaseOwner: null,
        leaseUntil: null,
      });
      expect((await store.claimDue(name, { limit: 1, leaseMs: HOUR })).entries).toHaveLength(1);
    });

    it('settles done: kept for the retention, for the expiry asked, or for good; the final payload', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['retained', 'until', 'kept']);
      expect(await store.markDone(of('retained'), stranger)).toBe(false);
      expect((await entry(name, 'retained')).status).toBe('leased');

      const before = Date.now();
      const until = new Date(before + HOUR);
      expect(await store.markDone(of('retained'), owner, { payload: { final: true } })).toBe(true);
      expect(await store.markDone(of('until'), owner, { expiresAt: until })).toBe(true);
      expect(await store.markDone(of('kept'), owner, { expiresAt: null })).toBe(true);

      const retained = await entry(name, 'retained');
      expect(retained).toMatchObject({
        status: 'done',
        payload: { final: true },
        leaseUntil: null,
      });
      expect(retained.expiresAt!.getTime()).toBeGreaterThanOrEqual(before + RETENTION_MS);
      expect((await entry(name, 'until')).expiresAt!.getTime()).toBe(until.getTime());
      expect((await entry(name, 'kept')).expiresAt).toBeNull();
    });

    it('settles dead: no expiry, the reason given, for an operator', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['a', 'b']);
      const reason = { code: 'attempts-exhausted', message: 'gave up', retriable: false };
      expect(await store.markDead(of('a'), stranger, reason)).toBe(false);
      expect((await entry(name, 'a')).status).toBe('leased');

      expect(await store.markDead(of('a'), owner, reason)).toBe(true);
      expect(await store.markDead(of('b'), owner)).toBe(true);
      expect(await entry(name, 'a')).toMatchObject({
        status: 'dead',
        errorCode: 'attempts-exhausted',
        lastError: 'gave up',
        expiresAt: null,
        nextAttemptAt: null,
      });
      expect(await entry(name, 'b')).toMatchObject({
        status: 'dead',
        errorCode: 'target-unavailable',
      });
    });
  });

  describe('complete', () => {
    it('settles pending, leased and handed-back entries as done; dead, done and unknown keys stay', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['leased', 'handed-back', 'dead', 'done']);
      await store.handedBack(of('handed-back'), owner, HOUR);
      await store.markDead(of('dead'), owner);
      const doneUntil = new Date(Date.now() + HOUR);
      await store.markDone(of('done'), owner, { expiresAt: doneUntil });
      await store.put(name, [failure('pending')]);

      const keys = ['pending', 'leased', 'handed-back', 'dead', 'done', 'never-stored'];
      await store.complete(name, keys, null);
      for (const key of ['pending', 'leased', 'handed-back'])
        expect(await entry(name, key), key).toMatchObject({
          status: 'done',
          leaseOwner: null,
          leaseUntil: null,
          nextAttemptAt: null,
          expiresAt: null,
        });
      expect((await entry(name, 'dead')).status).toBe('dead');
      expect((await entry(name, 'done')).expiresAt!.getTime()).toBe(doneUntil.getTime());
      expect(await store.get(name, 'never-stored')).toBeNull();
      // Its holder's outcome comes too late: the entry is settled.
      expect(await store.markDone(of('leased'), owner)).toBe(false);
    });
  });

  describe('purge', () => {
    it('deletes pending and done entries past their expiry, soonest first, a batch at a time; held and dead ones stay', async () => {
      const name = newStore();
      const { owner, of } = await claimed(name, ['held', 'dead', 'handed-back']);
      await store.markDead(of('dead'), owner);
      await store.handedBack(of('handed-back'), owner, HOUR);
      await store.put(name, [
        failure('pending-expired', { nextAttemptAt: new Date(Date.now() + HOUR) }),
        failure('done-first'),
        failure('not-yet'),
      ]);
      // Long expired, so that they come before anything other specs left expired.
      await store.complete(name, ['done-first'], new Date(Date.UTC(2000, 0, 1)));
      const repository = database.dataSource.getRepository(ObjectStoreEntry);
      await repository.update(
        { store: name, key: 'pending-expired' },
        { expiresAt: new Date(Date.UTC(2000, 0, 2)) },
      );
      for (const key of ['held', 'dead', 'handed-back'])
        await repository.update(
          { store: name, key },
          { expiresAt: new Date(Date.UTC(1999, 0, 1)) },
        );
      await store.complete(name, ['not-yet'], new Date(Date.now() + HOUR));

      expect(await store.purgeExpired(1)).toBe(1);
      expect(await store.get(name, 'done-first')).toBeNull();
      expect(await store.get(name, 'pending-expired')).not.toBeNull();
      while ((await store.purgeExpired(100)) > 0);
      const left = await repository.findBy({ store: name });
      expect(left.map((e) => e.key).sort()).toEqual(['dead', 'handed-back', 'held', 'not-yet']);
    });
  });

  it('counts the entries of a store by state', async () => {
    const name = newStore();
    const { owner, of } = await claimed(name, ['a', 'b', 'c']);
    await store.markDead(of('a'), owner);
    await store.put(name, [failure('d', { nextAttemptAt: new Date(Date.now() + HOUR) })]);
    expect(await store.countByStatus(name)).toEqual({ dead: 1, leased: 2, pending: 1 });
  });
});
