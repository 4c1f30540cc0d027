import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config/app-config.js';
import type { DeepPartial } from '../src/platform/config/index.js';
import { recordExtracted } from '../src/integrations/import/kernel/record-events.js';
import { integrations } from '../src/integrations/index.js';
import { processPipeline } from '../src/integrations/import/pipelines/process/process.pipeline.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { seedPeople } from './fixtures/import-flow/people-source.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const N = 200;
const PAGE_SIZE = 10;
const MAX_BACKLOG = 30;
/** Extraction checks the backlog before each page: one page may take it past the limit. */
const CEILING = MAX_BACKLOG + PAGE_SIZE;
const ADMIN = '/api/v1/admin';

describe.each(profiles)('import backpressure on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: integrations,
      overrides: {
        importFlow: {
          sources: {
            held: {
              type: 'sql',
              connection: 'default',
              query: 'SELECT id, name, email, amount FROM e2e_held',
              keyColumn: 'id',
              pageSize: PAGE_SIZE,
            },
          },
          extract: { maxBacklog: MAX_BACKLOG },
          target: { table: 'import_target_records' },
        },
      } as DeepPartial<AppConfig>,
      // The process pipeline is paused before its consumers start (see below).
      listen: false,
    });
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  const progressOf = async (id: string) =>
    (await app.http.get(`/api/v1/imports/${id}`).expect(200)).body;

  /** The record.extracted events the process pipeline has not finished, as an operator sees them. */
  async function adminBacklog(): Promise<number> {
    const { body } = await app.http.get(`${ADMIN}/pipelines/${processPipeline.name}`).expect(200);
    const subscription = body.subscriptions.find(
      (s: { event: string }) => s.event === recordExtracted.name,
    );
    return (subscription?.lag ?? 0) + (subscription?.pending ?? 0);
  }

  /** Every record.extracted event published so far (nothing is trimmed at this size). */
  async function published(bus: EventBus): Promise<number> {
    const streams = await bus.describeStreams();
    return streams.find((s) => s.event === recordExtracted.name)?.length ?? 0;
  }

  it('holds extraction at maxBacklog while the process pipeline is paused, and finishes the import once it resumes', async () => {
    const bus = app.app.get(EventBus);
    await seedPeople(app, 'e2e_held', N);
    await app.http
      .post(`${ADMIN}/pipelines/${processPipeline.name}/pause`)
      .expect(200, { pipeline: processPipeline.name, paused: true });
    // Started after the pause: a Redis consumer reads the paused set before its first read.
    await app.app.startAllMicroservices();

    const started = await app.http.post('/api/v1/imports').send({ source: 'held' }).expect(202);
    const id: string = started.body.id;
    await eventually(
      async () => (await bus.backlog(recordExtracted)) >= MAX_BACKLOG,
      10_000,
      'extraction to fill the backlog up to maxBacklog',
    );

    // For a while (longer than the extraction lease, which waiting must renew), extraction
    // publishes nothing more: the backlog stays within one page of the limit.
    const samples: { backlog: number; admin: number; published: number }[] = [];
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const sample = {
        backlog: await bus.backlog(recordExtracted),
        admin: await adminBacklog(),
        published: await published(bus),
      };
      samples.push(sample);
      const seen = JSON.stringify(samples);
      expect(sample.backlog, seen).toBeGreaterThanOrEqual(MAX_BACKLOG);
      expect(sample.backlog, seen).toBeLessThanOrEqual(CEILING);
      expect(sample.admin, seen).toBe(sample.backlog);
      expect(sample.published, seen).toBeLessThanOrEqual(CEILING);
      const progress = await progressOf(id);
      expect(progress.status).toBe('running');
      expect(progress.extraction).toBe('running');
      expect(progress.counts.processed).toBe(0);
      expect(progress.counts.extracted).toBeLessThan(N);
    }

    await app.http
      .post(`${ADMIN}/pipelines/${processPipeline.name}/resume`)
      .expect(200, { pipeline: processPipeline.name, paused: false });
    const progress = await eventually(
      async () => {
        const current = await progressOf(id);
        return current.status !== 'running' && current;
      },
      40_000,
      'the import to complete',
    );
    expect(progress.status).toBe('completed');
    expect(progress.extraction).toBe('done');
    expect(progress.counts).toEqual({
      extracted: N,
      processed: N,
      failed: 0,
      reprocessed: 0,
      reprocessAttempts: 0,
      succeededAfterRetry: 0,
      dead: 0,
      pending: 0,
    });
    const db = app.app.get(DataSource);
    const [{ total, records }] = await db.query(
      `SELECT COUNT(*) AS total, COUNT(DISTINCT record_key) AS records FROM import_target_records WHERE source = 'held'`,
    );
    expect(Number(total)).toBe(N);
    expect(Number(records)).toBe(N);
    // Each record was published once: holding extraction back lost or repeated nothing (an
    // extraction whose lease ran out while it waited would be resumed and publish a page again).
    expect(await published(bus)).toBe(N);
    await eventually(async () => (await bus.backlog(recordExtracted)) === 0 || null);
  });
});
