import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, start } from '../src/bootstrap.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { orderPlaced } from './fixtures/bus/order-events.js';
import { auditPipeline, busCatalogue, ordersPipeline } from './fixtures/bus/pipelines.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { captureLogs } from './support/log-lines.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, specCatalogue, testConfig } from './support/test-app.js';

/** One capture for the file: nestjs-pino keeps the first app's stream. */
const { lines, logStream } = captureLogs();

const BACKLOG = 40;

describe.each(profiles)('start-up order on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: NestExpressApplication | undefined;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  it('reads no event before the application is initialised: a backlog is handled on delivery 1, with no failure', async () => {
    const config = testConfig(profile, {
      pipelines: [ordersPipeline.name, auditPipeline.name],
      log: { level: 'warn' },
    });
    app = await createApp(config, specCatalogue(busCatalogue), {
      logger: ['warn', 'error'],
      logStream,
    });
    // A backlog waits before the process starts: on Redis it would be there after a restart;
    // the in-process bus loses everything at a restart, so it is published in this process
    // before it starts consuming.
    const bus = app.get(EventBus);
    const orders = Array.from({ length: BACKLOG }, (_, i) => `backlog-${profileName}-${i}`);
    for (const orderId of orders)
      await bus.publish(orderPlaced, { orderId, amount: 1 }, ordersPipeline.name);

    await start(app, config);

    const received = app.get(ReceivedEvents);
    const handled = await eventually(
      () => {
        const done = received.done('audit', 'order.placed');
        return done.length === BACKLOG && done;
      },
      15_000,
      'the audit pipeline to handle the whole backlog',
    );
    expect(handled.map((r) => (r.envelope.payload as { orderId: string }).orderId).sort()).toEqual(
      [...orders].sort(),
    );
    // Every event on its first delivery: none was failed by a guard not yet initialised.
    expect(handled.map((r) => r.attempt)).toEqual(orders.map(() => 1));
    const failures = lines.filter((l) => /failed in audit|throttlers/.test(l.msg ?? ''));
    expect(failures).toEqual([]);
  });
});
