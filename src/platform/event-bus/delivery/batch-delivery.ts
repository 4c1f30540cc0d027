import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { type BatchItem, EventBatch, EventBatchContext } from '../event-batch.js';
import { flowContext } from '../flow-context.js';

/**
 * The handler side of a batch trigger: calls it with an {@link EventBatch} (of at most
 * `maxSize` events: `deliverBatch` splits a larger read).
 */
export class BatchDelivery {
  constructor(
    private readonly handler: MessageHandler,
    private readonly pipeline: string,
    readonly maxSize: number,
    private readonly maxDeliveries: number,
  ) {}

  /** Settles once the batch has been handled; fails with the handler's error. */
  run(batch: BatchItem[]): Promise<void> {
    // Outside any flow: the batch mixes events of many flows (see EventBatch.within).
    return flowContext.outside(async () => {
      const result: unknown = await this.handler(
        new EventBatch(batch, this.maxDeliveries),
        new EventBatchContext([this.pipeline, batch.length]),
      );
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    });
  }
}
