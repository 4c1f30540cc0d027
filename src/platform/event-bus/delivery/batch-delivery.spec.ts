import type { MessageHandler } from '@nestjs/microservices';
import { IsInt, IsString } from 'class-validator';
import { throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { NonRetriableEventError } from '../errors/non-retriable-event.error.js';
import { type EventBatch, type EventBatchContext } from '../event-batch.js';
import { createEnvelope, type EventEnvelope } from '../event-envelope.js';
import type { TriggerExtras } from '../event-trigger.decorator.js';
import { flowContext, type FlowContext } from '../flow-context.js';
import { deliver, deliverBatch } from './deliver.js';
import { bindTriggers, type TriggerBinding } from './trigger-binding.js';
import { triggerSettings } from './trigger-settings.js';

class Reading {
  @IsString() sensor!: string;
  @IsInt() value!: number;
}

interface Call {
  items: { payload: unknown; attempt: number; id: string }[];
  size: number;
  pipeline: string;
  /** The flow the handler ran in. */
  flow: FlowContext | undefined;
}

/** A batch trigger as a transport binds it, with a handler that records its calls. */
function batchTrigger(
  behaviour: (batch: EventBatch<Reading>) => unknown = () => undefined,
  extras: Partial<TriggerExtras> = {},
): { binding: TriggerBinding; calls: Call[] } {
  const calls: Call[] = [];
  const handler = (async (batch: EventBatch<Reading>, context: EventBatchContext) => {
    calls.push({
      items: batch.items.map((i) => ({
        payload: i.payload,
        attempt: i.attempt,
        id: i.envelope.id,
      })),
      size: context.getSize(),
      pipeline: context.getPipeline(),
      flow: flowContext.current(),
    });
    return behaviour(batch);
  }) as MessageHandler;
  const declared = {
    event: 'sensor.read',
    pipeline: 'readings',
    payloadType: Reading,
    maxDeliveries: 3,
    batch: true,
    batchSize: 2,
    ...extras,
  } satisfies TriggerExtras;
  const settings = triggerSettings(declared, {
    maxDeliveries: 5,
    concurrency: 4,
    readBatchSize: 256,
  });
  const [binding] = bindTriggers(
    [{ ...declared, ...settings, handler: 'Readings.onRead' }],
    () => handler,
  );
  return { binding: binding!, calls };
}

const reading = (sensor: string, value: unknown = 1, correlationId?: string) =>
  createEnvelope('sensor.read', { sensor, value }, 'test', { correlationId });

/** Delivers the envelopes (each with its attempt) together, as a transport's read does. */
const deliverTogether = (binding: TriggerBinding, deliveries: [EventEnvelope, number][]) =>
  deliverBatch(
    binding,
    deliveries.map(([raw, attempt]) => ({ raw, attempt })),
  );

describe('batch trigger delivery', () => {
  it('hands the events of one read to the handler in one call, and acks each', async () => {
    const { binding, calls } = batchTrigger();
    const a = reading('a', 1);
    const b = reading('b', 2);
    const outcomes = await deliverTogether(binding, [
      [a, 1],
      [b, 2],
    ]);
    expect(outcomes).toEqual([{ kind: 'ack' }, { kind: 'ack' }]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      size: 2,
      pipeline: 'readings',
      items: [
        { attempt: 1, id: a.id, payload: { sensor: 'a', value: 1 } },
        { attempt: 2, id: b.id, payload: { sensor: 'b', value: 2 } },
      ],
    });
    // Validated payloads reach the handler as the trigger's DTO.
    expect(calls[0]!.items.every((i) => i.payload instanceof Reading)).toBe(true);

    // Another read is another batch, even of one event.
    await deliver(binding, reading('c'), 1);
    expect(calls).toHaveLength(2);
  });

  it('never hands over more than batchSize events at once (the concurrency, by default)', async () => {
    const sized = batchTrigger();
    await deliverTogether(
      sized.binding,
      ['a', 'b', 'c'].map((s) => [reading(s), 1]),
    );
    expect(sized.calls.map((c) => c.items.length)).toEqual([2, 1]);

    const byDefault = batchTrigger(undefined, { batchSize: undefined, concurrency: 3 });
    await deliverTogether(
      byDefault.binding,
      ['a', 'b', 'c', 'd'].map((s) => [reading(s), 1]),
    );
    expect(byDefault.calls.map((c) => c.items.length)).toEqual([3, 1]);
  });

  it('dead-letters an invalid payload alone: the valid ones of its read still reach the handler', async () => {
    const { binding, calls } = batchTrigger();
    const outcomes = await deliverTogether(binding, [
      [reading('a'), 1],
      [reading('b', 'high'), 1],
      [reading('c'), 1],
    ]);
    expect(outcomes[0]).toEqual({ kind: 'ack' });
    expect(outcomes[1]).toMatchObject({ kind: 'dead', reason: 'invalid-payload' });
    expect(outcomes[2]).toEqual({ kind: 'ack' });
    expect(calls.flatMap((c) => c.items.map((i) => (i.payload as Reading).sensor))).toEqual([
      'a',
      'c',
    ]);
  });

  it('fails every event of a failed batch, each by its own attempt: redelivery, or the dead letters at the last', async () => {
    const { binding, calls } = batchTrigger(() => {
      throw new Error('database down');
    });
    const first = reading('a', 1, 'corr-a');
    const last = reading('b', 1, 'corr-b');
    const outcomes = await deliverTogether(binding, [
      [first, 1],
      [last, 3],
    ]);
    expect(calls).toHaveLength(1);
    expect(outcomes).toEqual([
      { kind: 'retry', error: 'Error: database down', flow: flowContext.of(first) },
      {
        kind: 'dead',
        reason: 'max-deliveries',
        error: 'Error: database down',
        flow: flowContext.of(last),
      },
    ]);
  });

  it('dead-letters every event of a batch whose handler throws a NonRetriableEventError', async () => {
    const { binding } = batchTrigger(() => {
      throw new NonRetriableEventError('corrupt batch');
    });
    const outcomes = await deliverTogether(binding, [
      [reading('a'), 1],
      [reading('b'), 1],
    ]);
    expect(outcomes.map((o) => o.kind === 'dead' && o.reason)).toEqual([
      'non-retriable',
      'non-retriable',
    ]);
  });

  it('waits for a handler that answers with an Observable (behind an interceptor), and fails with it', async () => {
    const { binding } = batchTrigger(() => throwError(() => new Error('late failure')));
    const outcomes = await deliverTogether(binding, [
      [reading('a'), 1],
      [reading('b'), 1],
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'retry']);
  });

  it('runs the handler outside any flow; within(item) runs code in that event’s flow', async () => {
    const flows: (FlowContext | undefined)[] = [];
    const { binding, calls } = batchTrigger((batch) => {
      for (const item of batch.items) flows.push(batch.within(item, () => flowContext.current()));
    });
    const a = reading('a', 1, 'corr-a');
    const b = reading('b', 1, 'corr-b');
    // Even a transport that delivers from within some flow does not leak it into the batch.
    await flowContext.run({ correlationId: 'the-caller', hops: 0 }, () =>
      deliverTogether(binding, [
        [a, 1],
        [b, 1],
      ]),
    );
    expect(calls[0]!.flow).toBeUndefined();
    expect(flows).toEqual([
      { correlationId: 'corr-a', causationId: a.id, hops: a.hops },
      { correlationId: 'corr-b', causationId: b.id, hops: b.hops },
    ]);
  });
});
