import type { RedisConnection } from '../../../redis/index.js';

/**
 * Appends the envelopes of one event stream, in order, trimming as XADD would.
 *
 * KEYS[1] event stream
 * ARGV[1] trim strategy (MAXLEN, MINID or empty), ARGV[2] trim threshold,
 * ARGV[3..n] envelope JSON, one entry each
 * Returns the new entry ids, in the order of ARGV.
 */
const APPEND_ENVELOPES = `
local ids = {}
for i = 3, #ARGV do
  if ARGV[1] == '' then
    ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'envelope', ARGV[i])
  else
    ids[#ids + 1] = redis.call('XADD', KEYS[1], ARGV[1], '~', ARGV[2], '*', 'envelope', ARGV[i])
  end
end
return ids
`;

type AppendEnvelopes = (
  stream: string,
  strategy: string,
  threshold: string,
  ...envelopes: string[]
) => Promise<string[]>;

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

  constructor(private readonly redis: RedisConnection) {
    redis.defineCommand('tributaryAppendEnvelopes', { numberOfKeys: 1, lua: APPEND_ENVELOPES });
  }

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
    const append = (
      this.redis as unknown as { tributaryAppendEnvelopes: AppendEnvelopes }
    ).tributaryAppendEnvelopes.bind(this.redis);
    for (const [stream, batch] of this.batches) {
      for (let start = 0; start < batch.envelopes.length; start += MAX_BATCH) {
        const envelopes = batch.envelopes.slice(start, start + MAX_BATCH);
        const waiters = batch.waiters.slice(start, start + MAX_BATCH);
        append(stream, batch.strategy, batch.threshold, ...envelopes).then(
          (ids) => waiters.forEach((waiter, i) => waiter.resolve(ids[i]!)),
          (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
        );
      }
    }
    this.batches.clear();
  }
}
