import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config.js';
import type { DeepPartial } from '../src/platform/config/index.js';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import {
  IMPORT_RECORDS_STORE,
  type StoredRecord,
  storedRecordKey,
} from '../src/integrations/import/kernel/stored-record.js';
import { integrations } from '../src/integrations/index.js';
import { ReprocessAuditLog, reprocessAuditEntry } from './fixtures/import-flow/reprocess-audit.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Two reprocessor instances on one database (real profile: one MariaDB database and one Redis
 * prefix; embedded: one SQLite file, each instance with its own in-process bus) take the same
 * due records: each record is handed back once per attempt, never twice.
 */
describe.each(profiles)('reprocessing by two instances on the %s profile', (profileName) => {
  let profile: ProfileResources;
  const catalogue = [...integrations, reprocessAuditEntry];
  const overrides = {
    pipelines: ['reprocess', 'reprocess-audit'],
    importFlow: {
      reprocess: { intervalMs: 50, batchSize: 5, maxAttempts: 2, awaitMs: 600, leaseMs: 2000 },
    },
  } as DeepPartial<AppConfig>;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
  });
  afterAll(async () => {
    await profile?.dispose();
  });

  it('never hands the same record back twice for one attempt', async () => {
    const N = 80;
    const importId = randomUUID();
    // Seeded by an instance that does not reprocess, before the two that do start together.
    const seeder = await startTestApp(profile, {
      catalogue,
      overrides: { pipelines: ['process'] },
    });
    await seeder.app.get(ObjectStore).put(
      IMPORT_RECORDS_STORE,
      Array.from({ length: N }, (_, i) => {
        const payload: StoredRecord = {
          importId,
          source: 'people',
          key: String(i + 1),
          data: { n: i + 1 },
          correlationId: `c-${i + 1}`,
        };
        return {
          key: storedRecordKey(importId, payload.key),
          payload,
          error: {
            code: 'target-http-503',
            message: 'target service answered HTTP 503',
            retriable: true,
          },
          nextAttemptAt: new Date(),
        };
      }),
    );
    await seeder.close();

    const instances: TestApp[] = await Promise.all([
      startTestApp(profile, { catalogue, overrides }),
      startTestApp(profile, { catalogue, overrides }),
    ]);
    try {
      const store = instances[0]!.app.get(ObjectStore);
      // Two attempts each (maxAttempts 2), then dead: nothing is published after that.
      await eventually(
        async () => (await store.countByStatus(IMPORT_RECORDS_STORE)).dead === N,
        30_000,
        'every record to be dead',
      );
      await eventually(
        () => instances.flatMap((app) => app.app.get(ReprocessAuditLog).seen).length >= 2 * N,
        10_000,
        'every event to arrive',
      );
      const all = instances.flatMap((app) => app.app.get(ReprocessAuditLog).seen);
      expect(all).toHaveLength(2 * N);
      expect(new Set(all.map((e) => e.eventId)).size).toBe(2 * N);
      const attempts = new Map<string, number[]>();
      for (const event of all)
        attempts.set(event.key, [...(attempts.get(event.key) ?? []), event.attempt]);
      expect(attempts.size).toBe(N);
      for (const [key, list] of attempts) expect(list.sort(), key).toEqual([1, 2]);
    } finally {
      await Promise.all(instances.map((app) => app.close()));
    }
  });
});
