import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { MicroBatcher } from '../../batching/micro-batcher.js';
import { type BatchItem, EventBatch, EventBatchContext } from '../event-batch.js';
import { flowContext } from '../flow-context.js';

/**
 * The handler side of a batch trigger: the events a transport delivers in one event-loop turn
 * (a Redis read, say) reach the handler as one {@link EventBatch}, at most `maxSize` at a time.
 * Each delivery still resolves or fails on its own, so transports handle a batch trigger's
 * events exactly as they handle anyone else's: one ack, redelivery or dead letter each.
 */
export class BatchDelivery {
  private readonly batcher: MicroBatcher<BatchItem>;

  constructor(handler: MessageHandler, pipeline: string, maxSize: number) {
    this.batcher = new MicroBatcher<BatchItem>(
      (items) =>
        // Outside any flow: the batch mixes events of many flows (see EventBatch.within).
        flowContext.outside(async () => {
          const result: unknown = await handler(
            new EventBatch(items),
            new EventBatchContext([pipeline, items.length]),
          );
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        }),
      maxSize,
    );
  }

  /** Settles when the batch holding `item` has been handled; fails with the batch's error. */
  deliver(item: BatchItem): Promise<void> {
    return this.batcher.add(item);
  }
}
