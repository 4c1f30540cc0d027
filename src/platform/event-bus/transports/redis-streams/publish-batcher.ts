import { type RedisConnection, runScript } from '../../../redis/index.js';
import { APPEND_ENVELOPES } from './redis-streams.scripts.js';

interface Batch {
  strategy: string;
  threshold: string;
  envelopes: string[];
  waiters: { resolve: (id: string) => void; reject: (error: unknown) => void }[];
}

/** A script call must not hold Redis for long: larger batches are split. */
const MAX_BATCH = 500;

/**
 * Gathers the events published in one event-loop turn into one script call per stream.
 * At thousands of events a second, the client-side cost of a command per event (objects,
 * promises, buffers) outweighs the broker's work; one call per stream keeps each call to a
 * single key, as Redis Cluster requires.
 */
export class PublishBatcher {
  private readonly batches = new Map<string, Batch>();
  private scheduled = false;

  /** `redis` has the transport's scripts defined (`defineScripts`, as the connection is made). */
  constructor(private readonly redis: RedisConnection) {}

  /** Resolves with the entry id once the event is stored. */
  add(stream: string, trim: (string | number)[], envelope: string): Promise<string> {
    let batch = this.batches.get(stream);
    if (!batch) {
      batch = {
        strategy: String(trim[0] ?? ''),
        threshold: String(trim[2] ?? ''),
        envelopes: [],
        waiters: [],
      };
      this.batches.set(stream, batch);
    }
    batch.envelopes.push(envelope);
    const stored = new Promise<string>((resolve, reject) =>
      batch.waiters.push({ resolve, reject }),
    );
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return stored;
  }

  private flush(): void {
    this.scheduled = false;
    for (const [stream, batch] of this.batches) {
      for (let start = 0; start < batch.envelopes.length; start += MAX_BATCH) {
        const envelopes = batch.envelopes.slice(start, start + MAX_BATCH);
        const waiters = batch.waiters.slice(start, start + MAX_BATCH);
        runScript(
          this.redis,
          APPEND_ENVELOPES,
          [stream],
          [batch.strategy, batch.threshold, ...envelopes],
        ).then(
          (ids) => {
            // One id per envelope, or none is taken as stored: a publisher must not be told so.
            if (!Array.isArray(ids) || ids.length !== envelopes.length) {
              const error = new Error(
                `appending ${envelopes.length} events to ${stream}: Redis answered ${Array.isArray(ids) ? `${ids.length} ids` : String(ids)}`,
              );
              return waiters.forEach((waiter) => waiter.reject(error));
            }
            waiters.forEach((waiter, i) => waiter.resolve(String(ids[i])));
          },
          (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
        );
      }
    }
    this.batches.clear();
  }
}
