import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config.js';
import type { DeepPartial } from '../src/platform/config/index.js';
import type { ImportProgress } from '../src/integrations/import/kernel/import-progress.js';
import { IMPORT_RECORDS_STORE } from '../src/integrations/import/kernel/stored-record.js';
import { ObjectStore } from '../src/platform/object-store/object-store.js';
import { seedPeople } from './fixtures/import-flow/people-source.js';
import { startTargetPeer, type TargetPeer } from './fixtures/import-flow/target-peer.js';
import { type AppProcess, startAppProcess } from './harness/app-process.js';
import { prepareProfile, profiles, type ProfileResources, processEnv } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/**
 * "A process that dies mid-import loses nothing", with a real crash: SIGKILL, where the
 * graceful stop of import-flow.e2e-spec.ts hands the extraction lease back and finishes the
 * batches in hand. For the real profile only: the two processes meet through MariaDB and
 * Redis Streams, while the embedded profile's in-process bus keeps nothing across processes.
 */
const ENTRY = 'test/fixtures/import-flow/main.ts';
const N = 3000;
const PAGE_SIZE = 50;
/** Keeps extraction a few pages ahead of the process pipeline: mid-import is mid-extraction. */
const MAX_BACKLOG = 200;
/** Records at the target when the first process is killed (at least). */
const KILL_AT = 300;
/**
 * Fail their first POST. None is near the kill: a 503 whose process dies before keeping the
 * failure is redelivered as if it never failed, and rightly not counted as a retry. The early
 * ones fail and recover before the kill...
 */
const EARLY = [3, 60];
/** ...the late ones lie far past what the first process can extract (see MAX_BACKLOG). */
const LATE = [2600, 2999];
const TRANSIENT = [...EARLY, ...LATE];

describe.runIf(profiles.includes('real'))('import flow after a crash (SIGKILL)', () => {
  let profile: ProfileResources;
  let target: TargetPeer;
  /** No pipeline of its own: migrates and seeds the database, and reads it at the end. */
  let observer: TestApp;
  let children: AppProcess[] = [];

  beforeAll(async () => {
    profile = await prepareProfile('real');
    target = await startTargetPeer();
    observer = await startTestApp(profile, { catalogue: [] });
  });
  afterEach(async () => {
    await Promise.all(children.map((child) => child.kill()));
    children = [];
  });
  afterAll(async () => {
    await observer?.close();
    await profile?.dispose();
    await target?.close();
  });

  /** A process with every pipeline of the import flow, on the spec's database and Redis. */
  async function start(): Promise<AppProcess> {
    const overrides: DeepPartial<AppConfig> = {
      importFlow: {
        sources: {
          crash: {
            type: 'sql',
            connection: 'default',
            query: 'SELECT id, name, email, amount FROM e2e_crash',
            keyColumn: 'id',
            pageSize: PAGE_SIZE,
          },
        },
        extract: { leaseMs: 1500, resumeIntervalMs: 300, maxBacklog: MAX_BACKLOG },
        target: { table: 'import_target_records', httpUrl: target.url },
        reprocess: { intervalMs: 100, baseDelayMs: 50, maxDelayMs: 300 },
      },
    } as DeepPartial<AppConfig>;
    const child = await startAppProcess({
      entry: ENTRY,
      env: {
        ...processEnv(profile, 'extract,process,reprocess,error-handling'),
        FIXTURE_OVERRIDES: JSON.stringify(overrides),
      },
    });
    children.push(child);
    return child;
  }

  const db = () => observer.app.get(DataSource);
  const progressOf = async (child: AppProcess, id: string) =>
    (await (await child.fetch(`/api/v1/imports/${id}`)).json()) as ImportProgress;
  const atTarget = (key: number) => target.records.has(`crash:${key}`);

  it('loses nothing when the process extracting and processing an import is killed', async () => {
    await seedPeople(observer, 'e2e_crash', N);
    for (const key of TRANSIENT) target.failTransiently(`crash:${key}`, 1);
    // Slow enough that the import is well under way, not over, when the kill comes.
    target.delayMs = 40;

    const first = await start();
    const response = await first.fetch('/api/v1/imports', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'crash' }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as ImportProgress;
    await eventually(
      () => target.records.size >= KILL_AT && EARLY.every(atTarget),
      60_000,
      'the import to be under way, its early transient failures retried',
    );
    await first.kill();
    target.delayMs = 0;

    // Killed mid-extraction: the lease is still the dead process's, never handed back.
    const [row] = (await db().query(
      'SELECT extraction, lease_owner AS owner FROM imports WHERE id = ?',
      [id],
    )) as { extraction: string; owner: string | null }[];
    expect(row).toMatchObject({ extraction: 'running', owner: expect.any(String) });
    expect(target.records.size).toBeLessThan(N);
    for (const key of LATE)
      expect(target.posts.get(`crash:${key}`), `crash:${key}`).toBeUndefined();

    // The second process takes the extraction over once the lease runs out, and finishes.
    const second = await start();
    let progress = await progressOf(second, id);
    await eventually(
      async () => (progress = await progressOf(second, id)).status !== 'running',
      60_000,
      'the second process to finish the import',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; it stands at ${JSON.stringify(progress)}`);
    });
    expect(progress).toMatchObject({ status: 'completed', extraction: 'done' });
    expect(progress.counts).toMatchObject({
      extracted: N,
      processed: N,
      failed: TRANSIENT.length,
      reprocessed: TRANSIENT.length,
      succeededAfterRetry: TRANSIENT.length,
      dead: 0,
      pending: 0,
    });

    // The target service: every key, with its record. A record may have been POSTed again
    // (at least once, by design); its idempotency key made it one record all the same.
    expect(target.records.size).toBe(N);
    for (let key = 1; key <= N; key++) {
      expect(target.records.get(`crash:${key}`), `crash:${key}`).toEqual({
        source: 'crash',
        key: String(key),
        name: `Person ${key}`,
        email: `p${key}@example.com`,
        amountCents: key * 125,
        importId: id,
      });
    }
    for (const key of TRANSIENT) expect(target.posts.get(`crash:${key}`)).toBeGreaterThan(1);

    // The target table: one row per record, none missing.
    const rows = (await db().query(
      `SELECT record_key AS k FROM import_target_records WHERE source = 'crash' AND import_id = ?`,
      [id],
    )) as { k: string }[];
    expect(rows).toHaveLength(N);
    expect(new Set(rows.map((r) => Number(r.k)))).toEqual(
      new Set(Array.from({ length: N }, (_, i) => i + 1)),
    );

    // Nothing left to reprocess: each transient failure's entry settled, as done.
    const store = observer.app.get(ObjectStore);
    const entries = await eventually(
      async () => {
        const counts = await store.countByStatus(IMPORT_RECORDS_STORE);
        return (
          Object.keys(counts).every((status) => status === 'done' || status === 'dead') && counts
        );
      },
      20_000,
      'the Object Store entries to settle',
    );
    expect(entries).toEqual({ done: TRANSIENT.length });
  }, 180_000);
});
