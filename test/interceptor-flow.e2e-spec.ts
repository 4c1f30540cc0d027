import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Module,
  type NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  definePipeline,
  type PipelineEntry,
} from '../src/platform/pipeline/pipeline-definition.js';
import { PipelineModule } from '../src/platform/pipeline/pipeline.module.js';
import { busCatalogue } from './fixtures/bus/pipelines.js';
import { ReceivedEvents } from './fixtures/bus/received-events.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

/** The trigger handlers the global interceptor wrapped, as `Class.method`. */
@Injectable()
class InterceptedTriggers {
  readonly handlers: string[] = [];
}

/** A global interceptor, as a logging or tracing module would add: it makes every handler an Observable. */
@Injectable()
class PassThroughInterceptor implements NestInterceptor {
  constructor(private readonly intercepted: InterceptedTriggers) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'rpc')
      this.intercepted.handlers.push(`${context.getClass().name}.${context.getHandler().name}`);
    return next.handle();
  }
}

const probe = definePipeline({
  name: 'interceptor-probe',
  role: 'subscriber',
  description: 'Adds a global interceptor',
});

@Module({
  imports: [PipelineModule.register(probe)],
  providers: [InterceptedTriggers, { provide: APP_INTERCEPTOR, useClass: PassThroughInterceptor }],
})
class ProbeModule {}

const catalogue: PipelineEntry[] = [...busCatalogue, { pipeline: probe, module: ProbeModule }];

describe.each(profiles)(
  'trigger handlers behind a global interceptor on the %s profile',
  (profileName) => {
    let profile: ProfileResources;
    let app: TestApp;

    beforeAll(async () => {
      profile = await prepareProfile(profileName);
      app = await startTestApp(profile, {
        catalogue,
        overrides: { pipelines: ['orders', 'audit', 'shipping', 'interceptor-probe'] },
      });
    });
    afterAll(async () => {
      await app?.close();
      await profile?.dispose();
    });

    it('still run in the event’s flow: what they publish continues its correlation, causation and hops', async () => {
      const orderId = `intercepted-${profileName}`;
      const placed = await app.http
        .post('/api/v1/test/orders')
        .set('X-Correlation-Id', `corr-${orderId}`)
        .send({ orderId, amount: 1 })
        .expect(201);
      const received = app.app.get(ReceivedEvents);
      const audited = await eventually(() =>
        received
          .done('shipping', 'order.audited')
          .find((r) => (r.envelope.payload as { orderId: string }).orderId === orderId),
      );
      expect(audited.envelope).toMatchObject({
        correlationId: `corr-${orderId}`,
        causationId: placed.body.eventId,
        hops: 1,
      });
      // The interceptor did wrap them: an app-wide interceptor reaches event triggers too.
      expect(app.app.get(InterceptedTriggers).handlers).toEqual(
        expect.arrayContaining(['AuditTrigger.onOrderPlaced', 'ShippingTrigger.onOrderAudited']),
      );
    });
  },
);
