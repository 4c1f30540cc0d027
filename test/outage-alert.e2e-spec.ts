import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import {
  entryBooked,
  LEDGER_MAX_DELIVERIES,
  ledgerAndJournalCatalogue,
  LedgerTable,
} from './fixtures/bus/ledger-pipeline.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { busCatalogue } from './fixtures/bus/pipelines.js';
import { importError } from '../src/integrations/import/kernel/record-events.js';
import { integrations } from '../src/integrations/index.js';
import { databaseOutage, type DatabaseOutage } from './harness/database-outage.js';
import { prepareProfile, profiles, type ProfileResources, REDIS_URL } from './support/profiles.js';
import { type SmtpPeer, startSmtpPeer } from './support/smtp-peer.js';
import { TcpRelay } from './harness/tcp-relay.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const SUPPORT = 'support@tributary.test';

describe.each(profiles)('the alert of a database outage on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let outage: DatabaseOutage;
  let smtp: SmtpPeer;
  let app: TestApp | undefined;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    outage = await databaseOutage(profile);
    smtp = await startSmtpPeer();
  });
  afterEach(async () => {
    await outage.end();
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await smtp?.close();
    await outage?.dispose();
    await profile?.dispose();
  });

  it('raises one alert for an outage that outlasts bus.outageAlertAfterMs, however many events and triggers wait, and records it once the database answers', async () => {
    app = await startTestApp(profile, {
      catalogue: ledgerAndJournalCatalogue,
      overrides: {
        ...outage.overrides,
        bus: { ...outage.overrides.bus, outageAlertAfterMs: 300 },
        errorTreatment: { supportEmail: SUPPORT },
        notifiers: { email: { smtpUrl: smtp.url() } },
      },
    });
    const keys = Array.from({ length: 6 }, (_, i) => `alert-${profileName}-${i}`);
    await outage.begin();
    for (const key of keys) await app.app.get(EventBus).publish(entryBooked, { key }, 'test');

    const [mail] = await eventually(
      () => smtp.received.length > 0 && smtp.received,
      15_000,
      'the outage alert e-mail',
    );
    // Both triggers go on waiting, probing, past the alert: still one alert.
    const deliveries = () => app!.app.get(ReceivedEvents).all.length;
    const atAlert = deliveries();
    await eventually(
      () => deliveries() >= atAlert + LEDGER_MAX_DELIVERIES + 1,
      15_000,
      'more deliveries during the outage after the alert',
    );
    expect(smtp.received).toHaveLength(1);
    expect(mail!.rcptTo).toEqual([SUPPORT]);
    expect(mail!.header('subject')).toMatch(/^\[Tributary\] (ledger|journal): database-outage$/);
    expect(mail!.body).toContain('the database did not answer for');

    await outage.end();
    await eventually(
      async () => (await app!.app.get(LedgerTable).keys()).length === keys.length * 2,
      15_000,
      'every entry booked by both pipelines once the database answers',
    );
    const records = await eventually(
      async () => {
        const { body } = await app!.http
          .get('/api/v1/admin/errors')
          .query({ code: 'database-outage' })
          .expect(200);
        const items = (body as { items: { status: string }[] }).items;
        return items.length > 0 && items.every((r) => r.status === 'resolved') && items;
      },
      10_000,
      'the outage recorded and resolved once the database answers',
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      code: 'database-outage',
      retriable: true,
      correlationId: mail!.header('x-correlation-id'),
    });
    expect(smtp.received).toHaveLength(1);
  });

  // Real profile only: the embedded profile's outage is a write lock, which a reprocessing run
  // with nothing due never meets (it only reads, and reads go on in WAL mode).
  it.runIf(profileName === 'real')(
    'counts the reprocessing runs that meet the outage as the outage, not as failures of their own: one alert, no error record per run',
    async () => {
      app = await startTestApp(profile, {
        catalogue: integrations,
        overrides: {
          ...outage.overrides,
          pipelines: ['reprocess', 'error-handling'],
          bus: { ...outage.overrides.bus, outageAlertAfterMs: 300 },
          errorTreatment: { supportEmail: SUPPORT },
          notifiers: { email: { smtpUrl: smtp.url() } },
        },
      });
      const recorded = async (code: string) => {
        const { body } = await app!.http.get('/api/v1/admin/errors').query({ code }).expect(200);
        return (body as { items: { status: string; correlationId: string }[] }).items;
      };
      // The spec before this one left its own alert on this profile's database.
      const earlier = (await recorded('database-outage')).length;
      const before = smtp.received.length;
      await outage.begin();
      const mail = await eventually(
        () =>
          smtp.received
            .slice(before)
            .find((m) => /database-outage/.test(m.header('subject') ?? '')),
        15_000,
        'the outage alert e-mail',
      );
      // Ten more runs meet the outage.
      await new Promise((resolve) =>
        setTimeout(resolve, 10 * app!.config.importFlow.reprocess.intervalMs),
      );
      await outage.end();

      const alerts = await eventually(
        async () => {
          const items = await recorded('database-outage');
          const ours = items.find((r) => r.correlationId === mail.header('x-correlation-id'));
          return ours?.status === 'resolved' && items;
        },
        10_000,
        'the outage recorded and resolved once the database answers',
      );
      expect(alerts.length - earlier, 'alerts of this outage').toBe(1);
      // What waited for the database is booked before a marker published after it answers.
      await app.app.get(EventBus).publish(
        importError,
        {
          pipeline: 'reprocess',
          code: 'after-the-outage',
          message: 'a marker',
          correlationId: randomUUID(),
          retriable: false,
          occurredAt: new Date().toISOString(),
        },
        'test',
      );
      await eventually(
        async () => (await recorded('after-the-outage')).length > 0,
        10_000,
        'the marker booked',
      );
      expect(await recorded('reprocess-run-failed')).toEqual([]);
      expect(smtp.received.slice(before)).toHaveLength(1);
    },
  );

  it.runIf(profileName === 'real')(
    'raises one alert for a broker outage, recorded at once, and resumes consuming once Redis answers',
    async () => {
      const { hostname, port } = new URL(REDIS_URL);
      const relay = new TcpRelay(hostname, Number(port));
      await relay.open();
      let cut = false;
      try {
        app = await startTestApp(profile, {
          catalogue: busCatalogue,
          overrides: {
            pipelines: ['orders', 'audit'],
            redis: { url: `redis://127.0.0.1:${relay.port}` },
            bus: { outageAlertAfterMs: 500 },
            errorTreatment: { supportEmail: SUPPORT },
            notifiers: { email: { smtpUrl: smtp.url() } },
          },
        });
        const before = smtp.received.length;
        cut = true;
        await relay.cut();
        // The consumers' reads fail once ioredis gives up on them: about ten seconds.
        const mail = await eventually(
          () =>
            smtp.received
              .slice(before)
              .find((m) => /broker-outage/.test(m.header('subject') ?? '')),
          30_000,
          'the broker outage alert e-mail',
        );
        const recorded = async (status: string) => {
          const { body } = await app!.http
            .get('/api/v1/admin/errors')
            .query({ code: 'broker-outage' })
            .expect(200);
          const items = (body as { items: { status: string; correlationId: string }[] }).items;
          return items.length === 1 && items[0]!.status === status && items[0];
        };
        // Recorded while Redis is still away: the database answers.
        const record = await eventually(() => recorded('alerted'), 10_000, 'the outage recorded');
        expect(record.correlationId).toBe(mail.header('x-correlation-id'));

        await relay.open();
        cut = false;
        await eventually(() => recorded('resolved'), 20_000, 'the outage resolved');
        expect(smtp.received.slice(before)).toHaveLength(1);

        await app.http
          .post('/api/v1/test/orders')
          .send({ orderId: 'after-broker', amount: 1 })
          .expect(201);
        await eventually(
          () =>
            app!.app
              .get(ReceivedEvents)
              .done('audit')
              .some((r) => (r.envelope.payload as { orderId: string }).orderId === 'after-broker'),
          15_000,
          'the audit pipeline consuming again',
        );
      } finally {
        if (cut) await relay.open();
        await app?.close();
        app = undefined;
        await relay.cut();
      }
    },
  );
});
