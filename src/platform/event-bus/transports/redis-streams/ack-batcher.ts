import type { Logger } from '@nestjs/common';
import type { RedisConnection } from '../../../redis/index.js';

/**
 * Gathers the acknowledgements of one event-loop turn into one XACK per stream and group:
 * at thousands of events a second, one command per event would cost more than the events.
 * An ack lost with the process only means a redelivery, which at-least-once allows.
 */
export class AckBatcher {
  private readonly batches = new Map<string, { stream: string; group: string; ids: string[] }>();
  private scheduled?: Promise<void>;

  constructor(
    private readonly redis: RedisConnection,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the batch holding this acknowledgement has been sent (or failed and been logged). */
  add(stream: string, group: string, id: string): Promise<void> {
    const key = `${stream}\u0000${group}`;
    const batch = this.batches.get(key);
    if (batch) batch.ids.push(id);
    else this.batches.set(key, { stream, group, ids: [id] });
    this.scheduled ??= new Promise((resolve) => setImmediate(() => resolve(this.flush())));
    return this.scheduled;
  }

  async flush(): Promise<void> {
    this.scheduled = undefined;
    const batches = [...this.batches.values()];
    this.batches.clear();
    await Promise.all(
      batches.map(({ stream, group, ids }) =>
        this.redis.xack(stream, group, ...ids).catch((error: Error) => {
          this.logger.warn(
            `could not acknowledge ${ids.length} events of ${stream} for ${group}: ${error.message}; they will be redelivered`,
          );
        }),
      ),
    );
  }
}
