import { Injectable, Module, type Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { IsString } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/bootstrap.js';
import {
  defineEvent,
  EventBatch,
  EventBatchTrigger,
  EventBus,
  EventRegistry,
  EventTrigger,
  EventTriggerContext,
  Triggers,
} from '../../src/platform/event-bus/index.js';
import {
  definePipeline,
  type PipelineEntry,
  PipelineModule,
} from '../../src/platform/pipeline/index.js';
import { type Backend, backends, startBackend } from './backends.js';
import {
  eventually,
  specCatalogue,
  startTestApp,
  type TestApp,
  testConfig,
} from '../support/index.js';

/**
 * Triggers come from one list, the registry: the transports bind what it holds, each trigger
 * once with its own settings, and the start stops on what Nest would run wrongly or not at all.
 */
class Parcel {
  @IsString() key!: string;
}

const shipped = defineEvent('registry-test.shipped', Parcel);

const counting = definePipeline({
  name: 'registry-counting',
  role: 'subscriber',
  description: 'Counts parcels one by one, failing the ones asked to',
});
const batching = definePipeline({
  name: 'registry-batching',
  role: 'subscriber',
  description: 'Takes parcels in batches',
});

@Injectable()
class Seen {
  readonly single: { key: string; attempt: number; isBatch: boolean }[] = [];
  readonly batches: { keys: string[]; isBatch: boolean }[] = [];
}

@Module({ providers: [Seen], exports: [Seen] })
class SeenModule {}

@Triggers()
class CountingTrigger {
  constructor(private readonly seen: Seen) {}

  @EventTrigger(shipped, { pipeline: counting.name, maxDeliveries: 2 })
  onShipped(@Payload() parcel: Parcel, @Ctx() context: EventTriggerContext) {
    this.seen.single.push({
      key: parcel.key,
      attempt: context.getAttempt(),
      isBatch: (parcel as unknown) instanceof EventBatch,
    });
    if (parcel.key.startsWith('fail-')) throw new Error(`refused ${parcel.key}`);
  }
}

@Triggers()
class BatchingTrigger {
  constructor(private readonly seen: Seen) {}

  @EventBatchTrigger(shipped, { pipeline: batching.name, batchSize: 10, maxDeliveries: 4 })
  onShipped(@Payload() batch: EventBatch<Parcel>) {
    this.seen.batches.push({
      keys: batch.items.map((item) => item.payload.key),
      isBatch: batch instanceof EventBatch,
    });
  }
}

/** A second trigger of the counting pipeline on the same event, in another class. */
@Triggers()
class SecondCountingTrigger {
  @EventBatchTrigger(shipped, { pipeline: counting.name })
  onParcels(@Payload() _batch: EventBatch<Parcel>) {}
}

/** A trigger on a plain provider: Nest never calls it. */
@Injectable()
class ProviderWithTrigger {
  @EventTrigger(shipped, { pipeline: counting.name })
  onShipped(@Payload() _parcel: Parcel) {}
}

function entry(
  pipeline: typeof counting,
  parts: { controllers?: Type[]; providers?: Type[] },
): PipelineEntry {
  @Module({ imports: [PipelineModule.register(pipeline), SeenModule], ...parts })
  class FixtureModule {}
  return { pipeline, module: FixtureModule };
}

describe.each(backends)('triggers bound from the registry on the %s backend', (backendName) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await startBackend(backendName);
  }, 120_000);
  afterAll(() => backend?.stop());

  /** Builds the app and expects its start to fail with `message`; closes what it opened. */
  async function startFails(catalogue: PipelineEntry[], message: string) {
    const apps = specCatalogue(catalogue);
    const app = await createApp(testConfig(backend.profile, {}, apps, backend.env), apps, {
      logger: false,
    });
    try {
      await expect(app.init()).rejects.toThrow(message);
    } finally {
      await app.close().catch(() => undefined);
    }
  }

  it('refuses to start with two triggers of one pipeline on one event, naming both', async () => {
    await startFails(
      [entry(counting, { controllers: [CountingTrigger, SecondCountingTrigger] })],
      "pipeline 'registry-counting' has two triggers on event 'registry-test.shipped': " +
        'CountingTrigger.onShipped and SecondCountingTrigger.onParcels',
    );
  });

  it('refuses to start with a trigger on a provider that is not a trigger class', async () => {
    await startFails(
      [entry(counting, { controllers: [CountingTrigger], providers: [ProviderWithTrigger] })],
      "ProviderWithTrigger.onShipped is a trigger of pipeline 'registry-counting' on event " +
        "'registry-test.shipped' in a provider, where Nest never calls it",
    );
  });

  describe('the ordinary case', () => {
    let app: TestApp;
    let seen: Seen;
    beforeAll(async () => {
      app = await startTestApp(backend.profile, {
        env: backend.env,
        catalogue: [
          entry(counting, { controllers: [CountingTrigger] }),
          entry(batching, { controllers: [BatchingTrigger] }),
        ],
        overrides: { bus: { retry: { baseDelayMs: 20, maxDelayMs: 50 } } },
      });
      seen = app.app.get(Seen);
    });
    afterAll(() => app?.close());

    it('lists each trigger once with its own settings', () => {
      const triggers = app.app.get(EventRegistry).listTriggers();
      expect(
        triggers.map(({ handler, maxDeliveries, batchSize }) => ({
          handler,
          maxDeliveries,
          batchSize,
        })),
      ).toEqual([
        { handler: 'CountingTrigger.onShipped', maxDeliveries: 2, batchSize: undefined },
        { handler: 'BatchingTrigger.onShipped', maxDeliveries: 4, batchSize: 10 },
      ]);
    });

    it('delivers each event once to each trigger, a batch trigger getting an EventBatch', async () => {
      const bus = app.app.get(EventBus);
      await Promise.all(['a', 'b', 'c'].map((key) => bus.publish(shipped, { key }, 'test')));
      await eventually(
        () => seen.single.length >= 3 && seen.batches.flatMap((b) => b.keys).length >= 3,
        10_000,
        'both pipelines to handle the three parcels',
      );
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.single.map((s) => s.key).sort()).toEqual(['a', 'b', 'c']);
      expect(seen.single.every((s) => !s.isBatch && s.attempt === 1)).toBe(true);
      expect(seen.batches.flatMap((b) => b.keys).sort()).toEqual(['a', 'b', 'c']);
      expect(seen.batches.every((b) => b.isBatch)).toBe(true);
    });

    it("runs a trigger with its own delivery limit: dead after the counting trigger's two", async () => {
      const bus = app.app.get(EventBus);
      const { id } = await bus.publish(shipped, { key: 'fail-1' }, 'test');
      const letter = await eventually(
        async () =>
          (await bus.listDeadLetters(50)).find(
            (l) => typeof l.envelope === 'object' && l.envelope.id === id,
          ),
        10_000,
        'the failing parcel to be dead-lettered',
      );
      expect(letter).toMatchObject({ pipeline: counting.name, attempts: 2 });
      expect(seen.single.filter((s) => s.key === 'fail-1').map((s) => s.attempt)).toEqual([1, 2]);
    });
  });
});
