import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type BenchPayload, Sink } from './bench-pipelines.js';
import { deleteKeys } from '../support/redis.js';
import { type Subject, tick } from './subject.js';

type ReadReply = [stream: string, entries: [id: string, fields: string[]][]][] | null;

/** Entries asked for by one XREADGROUP: each read's cost is spread over this many events. */
const READ_COUNT = 500;

/**
 * The broker's own limit as our code could best approach it on this machine: the same
 * events as the other subjects (same payload, same stream trimming, one consumer group),
 * but no envelope, no handler framework, no retry bookkeeping. The publisher gathers the
 * events of one event-loop turn into one pipelined write of XADDs; the reader takes up to
 * READ_COUNT entries per XREADGROUP and acknowledges each read with one XACK, sent without
 * waiting for its answer before reading again. Every subject is compared to it.
 */
export function rawRedisStreams(redisUrl: string, maxLength: number): Subject {
  return {
    name: 'raw Redis Streams loop',
    async start() {
      const prefix = `tributary-bench:${randomBytes(4).toString('hex')}`;
      const stream = `${prefix}:raw`;
      const group = 'bench-sink';
      // Two connections, as a consumer needs: a blocked XREADGROUP holds its connection.
      const commands = new Redis(redisUrl);
      const reader = new Redis(redisUrl);
      await commands.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
      const sink = new Sink();
      const publisher = new BatchedXadd(commands, stream, maxLength);
      let stopping = false;
      const acks = new Set<Promise<unknown>>();
      const loop = (async () => {
        while (!stopping) {
          const reply = (await reader
            .xreadgroup(
              'GROUP',
              group,
              'raw',
              'COUNT',
              READ_COUNT,
              'BLOCK',
              200,
              'STREAMS',
              stream,
              '>',
            )
            .catch((error: Error) => {
              if (stopping) return null;
              throw error;
            })) as ReadReply;
          for (const [, entries] of reply ?? []) {
            const ids: string[] = [];
            for (const [id, fields] of entries) {
              sink.take(JSON.parse(fields[1]!) as BenchPayload);
              ids.push(id);
            }
            const ack = commands.xack(stream, group, ...ids);
            acks.add(ack);
            void ack.finally(() => acks.delete(ack));
          }
        }
      })();
      return {
        publish: (seq) => publisher.add(JSON.stringify(tick(seq))),
        sink,
        stop: async () => {
          stopping = true;
          await loop;
          await Promise.all(acks);
          reader.disconnect();
          commands.disconnect();
          await deleteKeys(redisUrl, `${prefix}:*`);
        },
      };
    },
  };
}

/** Gathers the XADDs of one event-loop turn into one pipeline: one write, one read of replies. */
class BatchedXadd {
  private payloads: string[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly maxLength: number,
  ) {}

  add(payload: string): Promise<void> {
    if (this.payloads.length === 0) setImmediate(() => this.flush());
    this.payloads.push(payload);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private flush(): void {
    const pipeline = this.redis.pipeline();
    for (const payload of this.payloads) {
      pipeline.xadd(this.stream, 'MAXLEN', '~', this.maxLength, '*', 'payload', payload);
    }
    const waiters = this.waiters;
    this.payloads = [];
    this.waiters = [];
    pipeline.exec().then(
      () => waiters.forEach((waiter) => waiter.resolve()),
      (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
    );
  }
}
