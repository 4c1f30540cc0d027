import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../src/platform/event-bus/event-envelope.js';
import { ErrorStore } from '../src/platform/error-store/error-store.js';
import { ErrorStoreModule } from '../src/platform/error-store/error-store.module.js';
import { migrationName } from '../src/platform/persistence/index.js';
import type { PipelineError } from '../src/platform/error-store/pipeline-error.js';
import { definePipeline } from '../src/platform/pipeline/pipeline-definition.js';
import { PipelineModule } from '../src/platform/pipeline/pipeline.module.js';
import { appMigrations } from '../src/app-migrations.js';
import { integrations } from '../src/integrations/index.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const storePipeline = definePipeline({
  name: 'store-errors',
  role: 'error-treatment',
  description: 'stores errors',
});

@Module({ imports: [PipelineModule.register(storePipeline), ErrorStoreModule] })
class StoreErrorsModule {}

describe.each(profiles)('persistence on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue: [{ pipeline: storePipeline, module: StoreErrorsModule }],
    });
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  it('runs every migration at start and reports the database ready', async () => {
    const dataSource = app.app.get(DataSource);
    const applied = (await dataSource.query('SELECT name FROM migrations ORDER BY id')) as {
      name: string;
    }[];
    // The platform's and every integration's, in the order TypeORM runs them (the timestamp
    // ending each name; src/app-catalogue.spec.ts holds the list itself).
    const expected = appMigrations(integrations).map(migrationName);
    expect(expected).toHaveLength(17);
    expect(applied.map((m) => m.name)).toEqual(expected);
    expect(await dataSource.showMigrations()).toBe(false);
    const ready = await app.http.get('/health/ready').expect(200);
    expect(ready.body.info.database.status).toBe('up');
  });

  it('stores an error event once, however often it is delivered', async () => {
    const store = app.app.get(ErrorStore);
    const error: PipelineError = {
      pipeline: 'store-receipt',
      code: 'smtp-unavailable',
      message: 'connection refused',
      correlationId: 'corr-1',
      retriable: true,
      occurredAt: '2026-11-26T10:00:00.123Z',
      event: {
        id: 'e-1',
        name: 'purchase.completed',
        payload: { amount: 1200, note: 'ünïcödé ✓' },
      },
    };
    const envelope = createEnvelope('purchase-flow.error', error, 'store-receipt');
    const first = await store.record(envelope);
    const again = await store.record(envelope);
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.record.id).toBe(first.record.id);
    const stored = await store.get(first.record.id);
    expect(stored).toMatchObject({
      pipeline: 'store-receipt',
      code: 'smtp-unavailable',
      retriable: true,
      status: 'open',
      failedEvent: error.event,
    });
    expect(stored!.occurredAt.toISOString()).toBe('2026-11-26T10:00:00.123Z');
    expect((await store.list({ pipeline: 'store-receipt' }, { offset: 0, limit: 10 })).total).toBe(
      1,
    );
  });

  it("keeps the trace id of the error event's trace with the record, none for an untraced one", async () => {
    const store = app.app.get(ErrorStore);
    const error: PipelineError = {
      pipeline: 'store-receipt',
      code: 'smtp-unavailable',
      message: 'connection refused',
      correlationId: 'corr-traced',
      retriable: true,
      occurredAt: '2026-11-26T10:00:00.123Z',
    };
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traced = createEnvelope('purchase-flow.error', error, 'store-receipt', {
      trace: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const untraced = createEnvelope('purchase-flow.error', error, 'store-receipt');
    const withTrace = await store.record(traced);
    const withoutTrace = await store.record(untraced);
    expect((await store.get(withTrace.record.id))!.traceId).toBe(traceId);
    expect((await store.get(withoutTrace.record.id))!.traceId).toBeNull();
  });
});
