import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSpecDatabase } from '../../../test/support/databases.js';
import { profileDatabases } from '../../../test/support/profiles.js';
import { settingsOf } from '../config/index.js';
import { objectStoreConfig } from './object-store.config.js';
import { ObjectStoreDiscards } from './object-store-discards.js';
import { ObjectStoreEntry } from './object-store-entry.entity.js';
import { ObjectStoreOperations } from './object-store-operations.js';
import { ObjectStore, type StoredFailure } from './object-store.js';

const HOUR = 3_600_000;

/**
 * What an operator may do by hand (requeue, discard, one or by filter) and what is refused,
 * on the real schema of both databases: only entries nobody holds and not done may change.
 */
describe.each(profileDatabases)('Object Store operations on %s', (kind) => {
  let database: { dataSource: DataSource; close(): Promise<void> };
  let store: ObjectStore;
  let operations: ObjectStoreOperations;
  let discards: ObjectStoreDiscards;

  beforeAll(async () => {
    database = await openSpecDatabase(kind, [ObjectStoreEntry]);
    const entries = database.dataSource.getRepository(ObjectStoreEntry);
    store = new ObjectStore(settingsOf(objectStoreConfig), entries);
    discards = new ObjectStoreDiscards();
    operations = new ObjectStoreOperations(entries, discards);
  });
  afterAll(() => database?.close());

  const newStore = () => `spec-${randomBytes(4).toString('hex')}`;
  const failure = (key: string, patch: Partial<StoredFailure> = {}): StoredFailure => ({
    key,
    payload: { key },
    error: { code: 'invalid-record', message: 'bad', retriable: false },
    nextAttemptAt: new Date(Date.now() - 1000),
    ...patch,
  });
  const entry = async (name: string, key: string) => (await store.get(name, key))!;
  /** An entry in each state: pending, leased, reprocessing, done and dead. */
  const everyState = async (name: string) => {
    await store.put(
      name,
      ['leased', 'reprocessing', 'done', 'dead'].map((k) => failure(k)),
    );
    const claim = await store.claimDue(name, { limit: 10, leaseMs: HOUR });
    const of = (key: string) => claim.entries.find((e) => e.key === key)!;
    await store.handedBack(of('reprocessing'), claim.owner, HOUR);
    await store.markDone(of('done'), claim.owner);
    await store.markDead(of('dead'), claim.owner);
    await store.put(name, [failure('pending', { expiresAt: new Date(Date.now() + HOUR) })]);
    const states = await Promise.all(
      ['pending', 'leased', 'reprocessing', 'done', 'dead'].map(async (k) => entry(name, k)),
    );
    expect(states.map((e) => e.status)).toEqual([
      'pending',
      'leased',
      'reprocessing',
      'done',
      'dead',
    ]);
    return Object.fromEntries(states.map((e) => [e.key, e]));
  };
  /** Listens to `name`'s discards; the keys told, in order. */
  const listen = (name: string, fail = false) => {
    const told: string[] = [];
    discards.onDiscard(name, async (keys) => {
      if (fail) throw new Error('the pipeline cannot take it');
      told.push(...keys);
    });
    return told;
  };

  describe('requeue', () => {
    it('queues a pending or dead entry again: due now, retriable, a fresh budget, no expiry, the payload replaced', async () => {
      const name = newStore();
      const entries = await everyState(name);
      const before = Date.now();
      for (const key of ['pending', 'dead']) {
        const change = await operations.requeue(entries[key]!.id, { key, corrected: true });
        expect(change, key).toMatchObject({
          entry: {
            status: 'pending',
            retriable: true,
            attempts: 0,
            expiresAt: null,
            leaseOwner: null,
            payload: { key, corrected: true },
          },
        });
        const requeued = (change as { entry: ObjectStoreEntry }).entry;
        expect(requeued.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(requeued.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      }
      const claim = await store.claimDue(name, { limit: 10, leaseMs: HOUR });
      expect(claim.entries.map((e) => e.key).sort()).toEqual(['dead', 'pending']);
    });

    it('keeps the stored payload when none is given', async () => {
      const name = newStore();
      const { dead } = await everyState(name);
      expect(await operations.requeue(dead!.id)).toMatchObject({
        entry: { payload: { key: 'dead' } },
      });
    });

    it('refuses a held or done entry, which stays as it was, and names its state; an unknown id is not found', async () => {
      const name = newStore();
      const entries = await everyState(name);
      for (const key of ['leased', 'reprocessing', 'done']) {
        expect(await operations.requeue(entries[key]!.id), key).toEqual({
          refused: 'in-flight',
          status: key,
        });
        expect(await entry(name, key), key).toEqual(entries[key]);
      }
      expect(await operations.requeue('00000000-0000-4000-8000-000000000000')).toEqual({
        refused: 'not-found',
      });
    });
  });

  describe('discard', () => {
    it("marks a pending or dead entry dead with code discarded, and tells the store's listeners", async () => {
      const name = newStore();
      const told = listen(name);
      const entries = await everyState(name);
      for (const key of ['pending', 'dead']) {
        expect(await operations.discard(entries[key]!.id, 'ops@example.com'), key).toMatchObject({
          told: true,
          entry: {
            status: 'dead',
            retriable: false,
            errorCode: 'discarded',
            lastError: 'discarded by ops@example.com',
            expiresAt: null,
            nextAttemptAt: null,
          },
        });
      }
      expect(told).toEqual(['pending', 'dead']);
      // Discarded again, the listeners are told again: that is how an operator finishes one.
      await operations.discard(entries['pending']!.id, 'ops@example.com');
      expect(told).toEqual(['pending', 'dead', 'pending']);
    });

    it('refuses a held or done entry and tells nobody; an unknown id is not found', async () => {
      const name = newStore();
      const told = listen(name);
      const entries = await everyState(name);
      for (const key of ['leased', 'reprocessing', 'done']) {
        expect(await operations.discard(entries[key]!.id, 'ops'), key).toEqual({
          refused: 'in-flight',
          status: key,
        });
        expect(await entry(name, key), key).toEqual(entries[key]);
      }
      expect(await operations.discard('00000000-0000-4000-8000-000000000000', 'ops')).toEqual({
        refused: 'not-found',
      });
      expect(told).toEqual([]);
    });

    it('discards even when a listener fails, and says it was not told', async () => {
      const name = newStore();
      listen(name, true);
      const { pending } = await everyState(name);
      expect(await operations.discard(pending!.id, 'ops')).toMatchObject({
        told: false,
        entry: { status: 'dead', errorCode: 'discarded' },
      });
    });
  });

  describe('by filter', () => {
    it('requeues only the pending and dead entries the filter means, its status included', async () => {
      const name = newStore();
      await everyState(name);
      expect(await operations.requeueAll({ store: name, status: 'done' })).toBe(0);
      expect(await operations.requeueAll({ store: name, status: 'leased' })).toBe(0);
      expect(await operations.requeueAll({ store: name, status: 'dead' })).toBe(1);
      expect((await entry(name, 'dead')).status).toBe('pending');
      expect(await operations.requeueAll({ store: name })).toBe(2);
      const states = await store.countByStatus(name);
      expect(states).toEqual({ pending: 2, leased: 1, reprocessing: 1, done: 1 });
    });

    it('reads a key prefix literally: % and _ are characters, not wildcards', async () => {
      const name = newStore();
      await store.put(
        name,
        ['a%b/1', 'a_b/2', 'axb/3', 'azzb/4'].map((k) => failure(k)),
      );
      expect(await operations.requeueAll({ store: name, keyPrefix: 'a%b' })).toBe(1);
      expect(await operations.requeueAll({ store: name, keyPrefix: 'a_b' })).toBe(1);
      const page = await operations.find(
        { store: name, keyPrefix: 'a_' },
        { offset: 0, limit: 10 },
      );
      expect(page.items.map((e) => e.key)).toEqual(['a_b/2']);
    });

    it('discards the pending and dead entries the filter means, a chunk at a time, telling each key once', async () => {
      const name = newStore();
      const other = newStore();
      const told = listen(name);
      await everyState(name);
      const many = Array.from({ length: 520 }, (_, i) => `bulk/${String(i).padStart(3, '0')}`);
      await store.put(
        name,
        many.map((k) => failure(k)),
      );
      await store.put(other, [failure('bulk/000')]);

      const result = await operations.discardAll({ store: name, keyPrefix: 'bulk/' }, 'ops');
      expect(result).toEqual({ affected: 520, told: true });
      expect([...told].sort()).toEqual(many);
      expect((await entry(other, 'bulk/000')).status).toBe('pending');

      // Without a prefix: the pending and dead ones of the store, dead already or not.
      const all = await operations.discardAll({ store: name }, 'ops');
      expect(all).toEqual({ affected: 522, told: true });
      expect(await store.countByStatus(name)).toEqual({
        dead: 522,
        leased: 1,
        reprocessing: 1,
        done: 1,
      });
    });

    it('discards every entry meant even when a listener fails, and says it was not told', async () => {
      const name = newStore();
      listen(name, true);
      await store.put(name, [failure('a'), failure('b')]);
      expect(await operations.discardAll({ store: name }, 'ops')).toEqual({
        affected: 2,
        told: false,
      });
      expect(await store.countByStatus(name)).toEqual({ dead: 2 });
    });
  });

  it('finds the entries a filter means, most recently changed first, a page at a time', async () => {
    const name = newStore();
    await everyState(name);
    const page = await operations.find({ store: name }, { offset: 1, limit: 2 });
    expect(page.total).toBe(5);
    expect(page.items).toHaveLength(2);
    const all = (await operations.find({ store: name }, { offset: 0, limit: 10 })).items;
    expect(all.map((e) => e.key)[0]).toBe('pending');
    const times = all.map((e) => e.updatedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.items).toEqual(all.slice(1, 3));
    const dead = await operations.find(
      { store: name, status: 'dead', errorCode: 'invalid-record' },
      { offset: 0, limit: 10 },
    );
    expect(dead.items.map((e) => e.key)).toEqual(['dead']);
  });
});
