import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startAppProcess } from './harness/app-process.js';
import {
  ancestors,
  type OtlpReceiver,
  serverSpanOf,
  SPAN_KIND,
  startOtlpReceiver,
} from './harness/otlp-receiver.js';
import {
  openProfileDatabase,
  prepareProfile,
  processEnv,
  type ProfileResources,
} from './support/profiles.js';
import { addCard } from './support/purchases.js';
import { buy } from './support/purchase-traffic.js';
import { eventually } from './support/test-app.js';

const { CLIENT } = SPAN_KIND;

/**
 * The embedded default traced (SQLite, in-process bus, every pipeline in one process): its
 * SQLite statements, which no maintained instrumentation covers, are spans of the flow's trace.
 * The app runs as its own OS process, exporting OTLP/JSON to a receiver on loopback.
 */
describe('tracing on the embedded default', () => {
  let profile: ProfileResources;
  let receiver: OtlpReceiver;
  let app: AppProcess;
  let db: DataSource;

  beforeAll(async () => {
    [profile, receiver] = await Promise.all([prepareProfile('embedded'), startOtlpReceiver()]);
    app = await startAppProcess({
      entry: 'src/main.ts',
      name: 'traced-embedded',
      env: {
        ...processEnv(profile, 'purchases,store-receipt,bank-notification'),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    db = await openProfileDatabase(profile);
  });
  afterAll(async () => {
    await app?.stop();
    await db?.destroy();
    await receiver?.close();
    await profile?.dispose();
  });

  it("puts a purchase's SQLite statements in its trace, named and without their values", async () => {
    const card = await addCard(db);
    expect((await buy(app, card)).status).toBe(201);

    const request = await serverSpanOf(receiver, '/api/v1/purchases');
    // The request's statements (the purchase's insert) and each subscriber's (its delivery's).
    const trace = await eventually(
      async () => {
        const spans = receiver.spans().filter((s) => s.traceId === request.traceId);
        return spans.filter((s) => s.name === 'purchase.completed process').length === 2 && spans;
      },
      15_000,
      'both subscribers in the purchase trace',
    );
    const sql = trace.filter((s) => s.attributes['db.system.name'] === 'sqlite');
    const insert = sql.find((s) => s.name === 'INSERT purchases');
    expect(insert, 'the purchase insert').toBeDefined();
    expect(insert!.attributes['db.collection.name']).toBe('purchases');
    expect(ancestors(trace, insert!)).toContain(request.spanId);
    for (const processed of trace.filter((s) => s.name === 'purchase.completed process')) {
      expect(sql.some((s) => ancestors(trace, s).includes(processed.spanId))).toBe(true);
    }
    for (const span of sql) {
      expect(span.kind).toBe(CLIENT);
      expect(span.attributes['db.operation.name']).toMatch(/^[A-Z]+$/);
      expect(String(span.attributes['db.query.text'])).not.toContain(card);
    }
    expect(JSON.stringify(sql)).not.toContain(card);
  });
});
