import { Injectable, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Triggers } from '../src/platform/event-bus/triggers.decorator.js';
import {
  type BatchItem,
  EventBatch,
  EventBatchContext,
} from '../src/platform/event-bus/event-batch.js';
import { EventBus } from '../src/platform/event-bus/event-bus.js';
import { defineEvent } from '../src/platform/event-bus/event-definition.js';
import type { EventEnvelope } from '../src/platform/event-bus/event-envelope.js';
import { EventTriggerContext } from '../src/platform/event-bus/event-trigger.context.js';
import {
  EventBatchTrigger,
  EventTrigger,
} from '../src/platform/event-bus/event-trigger.decorator.js';
import { InjectPublisher } from '../src/platform/event-bus/inject-publisher.decorator.js';
import type { Publisher } from '../src/platform/event-bus/publisher.js';
import {
  definePipeline,
  type PipelineEntry,
} from '../src/platform/pipeline/pipeline-definition.js';
import { PipelineModule } from '../src/platform/pipeline/pipeline.module.js';
import { prepareProfile, profiles, type ProfileResources } from './support/profiles.js';
import { eventually, startTestApp, type TestApp } from './support/test-app.js';

const MODES = ['ok', 'fail-once', 'fail-always', 'follow-up', 'follow-up-outside'] as const;
type Mode = (typeof MODES)[number];

/** What the batch trigger does with a probe is in its `mode`. */
class Probe {
  @IsString() key!: string;
  @IsOptional() @IsIn(MODES) mode?: Mode;
}

class FollowUp {
  @IsString() key!: string;
}

class Tally {
  @IsString() key!: string;
}

const probed = defineEvent('batch-test.probed', Probe);
const followed = defineEvent('batch-test.followed', FollowUp);
const tallied = defineEvent('batch-test.tallied', Tally);

const BATCH_SIZE = 20;
const MAX_DELIVERIES = 3;
/** `bus.concurrency` here: neither the config default nor any size a trigger declares. */
const BUS_CONCURRENCY = 7;

const batchPipeline = definePipeline({
  name: 'batch-probe',
  role: 'subscriber',
  description: 'Takes probes in batches; fails or publishes follow-ups on demand',
  publishes: [followed],
});
const followPipeline = definePipeline({
  name: 'batch-follow',
  role: 'subscriber',
  description: 'Records the follow-ups one by one',
});
const tallyPipeline = definePipeline({
  name: 'batch-tally',
  role: 'subscriber',
  description: 'Takes tallies in batches of the size it is given: it declares none',
});

interface SeenItem {
  key: string;
  mode: Mode;
  attempt: number;
  envelope: EventEnvelope;
  /** Whether the payload reached the handler as the validated DTO. */
  validated: boolean;
}

/** One call of the batch handler. */
interface BatchCall {
  size: number;
  failed: boolean;
  items: SeenItem[];
}

@Injectable()
class Seen {
  readonly calls: BatchCall[] = [];
  readonly followUps: EventEnvelope[] = [];
  /** The keys of each call of the tally batch trigger. */
  readonly tallyCalls: string[][] = [];

  /** The calls that included `key`, with the attempt each delivered it at. */
  deliveriesOf(key: string): { attempt: number; failed: boolean }[] {
    return this.calls.flatMap((call) =>
      call.items
        .filter((i) => i.key === key)
        .map((i) => ({ attempt: i.attempt, failed: call.failed })),
    );
  }

  handledKeys(prefix: string): string[] {
    return this.calls
      .filter((call) => !call.failed)
      .flatMap((call) => call.items.map((i) => i.key))
      .filter((key) => key.startsWith(prefix));
  }
}

@Triggers()
class ProbeBatchTrigger {
  constructor(
    private readonly seen: Seen,
    @InjectPublisher(followed) private readonly follow: Publisher<FollowUp>,
  ) {}

  @EventBatchTrigger(probed, {
    pipeline: batchPipeline.name,
    batchSize: BATCH_SIZE,
    concurrency: 64,
    maxDeliveries: MAX_DELIVERIES,
  })
  async onProbes(@Payload() batch: EventBatch<Probe>, @Ctx() context: EventBatchContext) {
    const modeOf = (item: BatchItem<Probe>) => item.payload.mode ?? 'ok';
    const failed = batch.items.some(
      (item) =>
        modeOf(item) === 'fail-always' || (modeOf(item) === 'fail-once' && item.attempt === 1),
    );
    this.seen.calls.push({
      size: context.getSize(),
      failed,
      items: batch.items.map((item) => ({
        key: item.payload.key,
        mode: modeOf(item),
        attempt: item.attempt,
        envelope: item.envelope,
        validated: item.payload instanceof Probe,
      })),
    });
    if (failed) throw new Error(`batch of ${batch.items.length} refused`);
    for (const item of batch.items) {
      if (modeOf(item) === 'follow-up')
        await batch.within(item, () => this.follow.publish({ key: item.payload.key }));
      // Without `within`: the handler runs in no event's flow, so this starts a new one.
      if (modeOf(item) === 'follow-up-outside')
        await this.follow.publish({ key: item.payload.key });
    }
  }
}

@Triggers()
class FollowUpTrigger {
  constructor(private readonly seen: Seen) {}

  @EventTrigger(followed, { pipeline: followPipeline.name })
  onFollowUp(@Payload() _followUp: FollowUp, @Ctx() context: EventTriggerContext) {
    this.seen.followUps.push(context.getEnvelope());
  }
}

@Triggers()
class TallyBatchTrigger {
  constructor(private readonly seen: Seen) {}

  @EventBatchTrigger(tallied, { pipeline: tallyPipeline.name })
  onTallies(@Payload() batch: EventBatch<Tally>) {
    this.seen.tallyCalls.push(batch.items.map((item) => item.payload.key));
  }
}

@Module({ providers: [Seen], exports: [Seen] })
class SeenModule {}

@Module({
  imports: [PipelineModule.register(batchPipeline), SeenModule],
  controllers: [ProbeBatchTrigger],
})
class BatchProbeModule {}

@Module({
  imports: [PipelineModule.register(followPipeline), SeenModule],
  controllers: [FollowUpTrigger],
})
class BatchFollowModule {}

@Module({
  imports: [PipelineModule.register(tallyPipeline), SeenModule],
  controllers: [TallyBatchTrigger],
})
class BatchTallyModule {}

const catalogue: PipelineEntry[] = [
  { pipeline: batchPipeline, module: BatchProbeModule },
  { pipeline: followPipeline, module: BatchFollowModule },
  { pipeline: tallyPipeline, module: BatchTallyModule },
];

describe.each(profiles)('batch triggers on the %s profile', (profileName) => {
  let profile: ProfileResources;
  let app: TestApp;
  let bus: EventBus;
  let seen: Seen;

  beforeAll(async () => {
    profile = await prepareProfile(profileName);
    app = await startTestApp(profile, {
      catalogue,
      overrides: { bus: { concurrency: BUS_CONCURRENCY } },
    });
    bus = app.app.get(EventBus);
    seen = app.app.get(Seen);
  });
  afterAll(async () => {
    await app?.close();
    await profile?.dispose();
  });

  /** Publishes every payload in the same event-loop turn. */
  const publishTogether = (payloads: object[], correlationId?: (i: number) => string) =>
    Promise.all(
      payloads.map((payload, i) =>
        bus.publish(probed, payload as Probe, 'test', {
          correlationId: correlationId?.(i),
        }),
      ),
    );
  const deadLettersOf = async (ids: Set<string>) =>
    (await bus.listDeadLetters(500)).filter(
      (l) => typeof l.envelope === 'object' && ids.has(l.envelope.id),
    );
  const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

  it('hands events published together to the handler in batches of at most batchSize, each event once', async () => {
    const N = 50;
    const prefix = `together-${profileName}-`;
    await publishTogether(Array.from({ length: N }, (_, i) => ({ key: `${prefix}${i}` })));
    await eventually(
      () => seen.handledKeys(prefix).length >= N,
      10_000,
      'every event to be handled',
    );
    await settle();

    const calls = seen.calls.filter((call) => call.items.some((i) => i.key.startsWith(prefix)));
    const keys = seen.handledKeys(prefix);
    expect(new Set(keys).size).toBe(N);
    expect(keys).toHaveLength(N); // none twice
    expect(calls.length).toBeLessThan(N);
    const sizes = calls.map((call) => call.items.length);
    expect(Math.max(...sizes)).toBe(BATCH_SIZE); // the limit is reached, never passed
    for (const call of calls) {
      expect(call.failed).toBe(false);
      expect(call.size).toBe(call.items.length); // EventBatchContext tells the same size
      for (const item of call.items) {
        expect(item.attempt).toBe(1);
        expect(item.validated).toBe(true);
      }
    }
  });

  it('dead-letters an invalid payload alone and hands the valid ones of its read to the handler', async () => {
    const prefix = `invalid-${profileName}-`;
    const envelopes = await publishTogether([
      { key: `${prefix}0` },
      { key: `${prefix}1` },
      { key: `${prefix}bad`, mode: 'explode' },
      { key: `${prefix}2` },
      { key: `${prefix}3`, unexpected: true },
      { key: `${prefix}4` },
    ]);
    const invalidIds = new Set([envelopes[2]!.id, envelopes[4]!.id]);
    const letters = await eventually(
      async () => {
        const found = await deadLettersOf(invalidIds);
        return found.length === 2 && found;
      },
      10_000,
      'the two invalid payloads to be dead-lettered',
    );
    for (const letter of letters) {
      expect(letter).toMatchObject({
        event: probed.name,
        pipeline: batchPipeline.name,
        reason: 'invalid-payload',
        attempts: 1,
      });
    }
    expect(letters.map((l) => l.error).join(' ')).toContain('mode');
    expect(letters.map((l) => l.error).join(' ')).toContain('property unexpected should not exist');

    await eventually(() => seen.handledKeys(prefix).length >= 4, 10_000, 'the valid ones');
    await settle();
    expect(seen.handledKeys(prefix).sort()).toEqual([0, 1, 2, 4].map((i) => `${prefix}${i}`));
    // The invalid ones never reached a batch, and no valid one was dead-lettered.
    const delivered = seen.calls.flatMap((call) => call.items.map((i) => i.envelope.id));
    for (const id of invalidIds) expect(delivered).not.toContain(id);
    const validIds = new Set(envelopes.filter((e) => !invalidIds.has(e.id)).map((e) => e.id));
    expect(await deadLettersOf(validIds)).toEqual([]);
  });

  it('redelivers every event of a failed batch, then hands them over again with their attempt', async () => {
    const N = 8;
    const prefix = `once-${profileName}-`;
    const envelopes = await publishTogether(
      Array.from({ length: N }, (_, i) => ({ key: `${prefix}${i}`, mode: 'fail-once' })),
    );
    await eventually(
      () => seen.handledKeys(prefix).length >= N,
      15_000,
      'every event to be handled after one failure',
    );
    await settle();
    for (let i = 0; i < N; i++) {
      expect(seen.deliveriesOf(`${prefix}${i}`), `${prefix}${i}`).toEqual([
        { attempt: 1, failed: true },
        { attempt: 2, failed: false },
      ]);
    }
    expect(await deadLettersOf(new Set(envelopes.map((e) => e.id)))).toEqual([]);
  });

  it('dead-letters every event of a batch that always fails after maxDeliveries', async () => {
    const N = 5;
    const prefix = `always-${profileName}-`;
    const envelopes = await publishTogether(
      Array.from({ length: N }, (_, i) => ({ key: `${prefix}${i}`, mode: 'fail-always' })),
    );
    const ids = new Set(envelopes.map((e) => e.id));
    const letters = await eventually(
      async () => {
        const found = await deadLettersOf(ids);
        return found.length === N && found;
      },
      15_000,
      'every event to be dead-lettered',
    );
    for (const letter of letters) {
      expect(letter).toMatchObject({
        pipeline: batchPipeline.name,
        reason: 'max-deliveries',
        attempts: MAX_DELIVERIES,
      });
      expect(letter.error).toContain('refused');
    }
    await settle();
    for (let i = 0; i < N; i++) {
      expect(
        seen.deliveriesOf(`${prefix}${i}`).map((d) => d.attempt),
        `${prefix}${i}`,
      ).toEqual([1, 2, 3]);
    }
    expect(seen.handledKeys(prefix)).toEqual([]);
  });

  it('publishes within an item’s flow: the follow-up carries its correlation and is caused by it', async () => {
    const prefix = `follow-${profileName}-`;
    const envelopes = await publishTogether(
      [
        { key: `${prefix}0`, mode: 'follow-up' },
        { key: `${prefix}1`, mode: 'follow-up' },
        { key: `${prefix}2`, mode: 'follow-up' },
        { key: `${prefix}outside`, mode: 'follow-up-outside' },
      ],
      (i) => `corr-${prefix}${i}`,
    );
    const followUpOf = (key: string) =>
      seen.followUps.find((e) => (e.payload as FollowUp).key === key);
    await eventually(
      () => envelopes.every((e) => followUpOf((e.payload as Probe).key)),
      10_000,
      'every follow-up',
    );
    // They were handled together, so each follow-up could only get its ids from `within`.
    const call = seen.calls.find((c) => c.items.some((i) => i.key === `${prefix}0`))!;
    expect(call.items.length).toBeGreaterThan(1);
    for (const original of envelopes.slice(0, 3)) {
      expect(followUpOf((original.payload as Probe).key)).toMatchObject({
        name: followed.name,
        source: batchPipeline.name,
        correlationId: original.correlationId,
        causationId: original.id,
        hops: original.hops + 1,
      });
    }
    const outside = followUpOf(`${prefix}outside`)!;
    expect(outside.causationId).toBeUndefined();
    expect(outside.hops).toBe(0);
    expect(envelopes.map((e) => e.correlationId)).not.toContain(outside.correlationId);
  });

  it('shows the batch size of a batch trigger in the admin API', async () => {
    const { body } = await app.http
      .get(`/api/v1/admin/pipelines/${batchPipeline.name}`)
      .expect(200);
    expect(body.triggers).toEqual([
      {
        event: probed.name,
        handler: 'ProbeBatchTrigger.onProbes',
        maxDeliveries: MAX_DELIVERIES,
        concurrency: 64,
        batchSize: BATCH_SIZE,
      },
    ]);
    const follow = await app.http.get(`/api/v1/admin/pipelines/${followPipeline.name}`).expect(200);
    // Not a batch trigger: no batchSize; the bus defaults for what it does not declare.
    expect(follow.body.triggers).toEqual([
      {
        event: followed.name,
        handler: 'FollowUpTrigger.onFollowUp',
        maxDeliveries: app.config.bus.maxDeliveries,
        concurrency: BUS_CONCURRENCY,
      },
    ]);
  });

  it('shows the batch size a batch trigger declaring none runs with, and hands over batches of that size', async () => {
    const { body } = await app.http
      .get(`/api/v1/admin/pipelines/${tallyPipeline.name}`)
      .expect(200);
    // Neither batchSize nor concurrency declared: both fall back on bus.concurrency.
    expect(body.triggers).toEqual([
      {
        event: tallied.name,
        handler: 'TallyBatchTrigger.onTallies',
        maxDeliveries: app.config.bus.maxDeliveries,
        concurrency: BUS_CONCURRENCY,
        batchSize: BUS_CONCURRENCY,
      },
    ]);

    const N = 4 * BUS_CONCURRENCY;
    const prefix = `tally-${profileName}-`;
    await Promise.all(
      Array.from({ length: N }, (_, i) => bus.publish(tallied, { key: `${prefix}${i}` }, 'test')),
    );
    const handled = () => seen.tallyCalls.flat().filter((key) => key.startsWith(prefix));
    await eventually(() => handled().length >= N, 10_000, 'every tally to be handled');
    await settle();
    expect(new Set(handled()).size).toBe(N);
    const sizes = seen.tallyCalls
      .filter((call) => call.some((key) => key.startsWith(prefix)))
      .map((call) => call.length);
    // The size shown is the size used: reached, never passed.
    expect(Math.max(...sizes)).toBe(body.triggers[0].batchSize);
  });
});
