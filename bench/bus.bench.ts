/**
 * npm run bench:bus — events/s end to end and publish-to-trigger latency, through one process:
 * Tributary's Redis Streams transport (durable, acknowledged), its in-process transport, Nest's
 * built-in Redis transport (plain pub/sub: not durable, no acknowledgement), and a raw Redis
 * Streams loop (XADD, XREADGROUP, XACK in batches, nothing else: the broker's limit as our code
 * could best approach it), all measured in the same run. Only loopback servers are used. Ratios
 * are against the raw loop and against Nest's transport, since absolute figures on a shared
 * machine drift from run to run.
 *
 * BENCH_EVENTS (default 100000), BENCH_RATE (5000/s), BENCH_SECONDS (5), REDIS_URL;
 * BENCH_RUNS (1) rounds of every subject, interleaved, reported as the median of each column;
 * BENCH_ONLY=1,2 runs only those subjects (0 Nest built-in, 1 Redis Streams, 2 in-process,
 * 3 raw loop, 4 Redis Cluster) when profiling;
 * BENCH_DEBUG=1 lists the events slower than 3 ms (they come in runs: a GC pause holds several);
 * BENCH_TRACING=1 adds both Tributary transports traced (subjects 5 and 6): the OpenTelemetry
 * SDK the app starts, exporting OTLP/HTTP (protobuf) to a receiver on loopback, started before
 * and stopped after each of them, so that the untraced subjects beside run as without it; then
 * the bus's tracing calls under the API's no-ops against the same steps bypassed (tracing off
 * against no tracing code, bench/bus/tracing-off.ts).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import type { AppConfig } from '../src/config/app-config.js';
import { loadAppConfig as loadConfig } from '../src/config/app-config.js';
import { EVENT_BUS_SERVER } from '../src/platform/event-bus/constants.js';
import { EventBusModule } from '../src/platform/event-bus/event-bus.module.js';
import type { EventBusServer } from '../src/platform/event-bus/event-bus.server.js';
import { publisherToken } from '../src/platform/event-bus/constants.js';
import type { Publisher } from '../src/platform/event-bus/publisher.js';
import {
  BuiltInBenchModule,
  benchEvent,
  type BenchPayload,
  Sink,
  TributaryBenchModule,
} from './bus/bench-pipelines.js';
import { measureThroughput, publishAtRate, summarize } from './bus/measure.js';
import { rawRedisStreams } from './bus/raw-redis-streams.js';
import { type Measurement, reportTable, type SubjectResult } from './bus/report.js';
import { type Subject, tick } from './bus/subject.js';
import { measureTracingOff } from './bus/tracing-off.js';
import { deleteKeys, redisCpuMicros } from './support/redis.js';
import { startTracingSdk } from '../src/telemetry-sdk.js';
import { spansDropped } from '../src/platform/tracing/index.js';
import { type OtlpReceiver, startOtlpReceiver } from '../test/harness/otlp-receiver.js';
import { type RedisCluster, startRedisCluster } from '../test/harness/redis-topologies.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 5_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * Stream trimming of every Redis subject: enough for a whole run, so nothing is trimmed unread,
 * and never below the default run's, which the import flow's backlog limit must stay under.
 */
const MAX_LENGTH = Math.max(EVENTS * 2, 200_000);

/** The bus on the machine's Redis (`url`), a Cluster (`clusterNodes`), or in process (none). */
type BusRedis = { url: string } | { clusterNodes: string[]; cpuMicros: () => Promise<number> };

function tributary(name: string, redis?: BusRedis | (() => Promise<BusRedis>)): Subject {
  return {
    name,
    async start() {
      const target = typeof redis === 'function' ? await redis() : redis;
      const redisUrl = target && 'url' in target ? target.url : undefined;
      const prefix = `tributary-bench:${randomBytes(4).toString('hex')}`;
      const config: AppConfig = loadConfig({
        env: { NODE_ENV: 'production' },
        // The bus only: no HTTP route is served, but production still wants a way to authenticate.
        overrides: {
          redis:
            target && 'clusterNodes' in target
              ? { clusterNodes: target.clusterNodes }
              : { url: redisUrl },
          bus: { keyPrefix: prefix, retention: { maxLength: MAX_LENGTH } },
          auth: { jwt: { secret: randomBytes(32).toString('base64url') } },
        },
      });
      const { Module } = await import('@nestjs/common');
      @Module({
        imports: [
          EventBusModule.forRoot(config.bus, config.shutdown, config.redis),
          TributaryBenchModule,
        ],
      })
      class Root {}
      const app = await NestFactory.create(Root, { logger: ['error'] });
      app.connectMicroservice({ strategy: app.get<EventBusServer>(EVENT_BUS_SERVER) });
      await app.init();
      await app.startAllMicroservices();
      const publisher = app.get<Publisher<BenchPayload>>(publisherToken(benchEvent.name));
      return {
        publish: (seq) => publisher.publish(tick(seq)),
        sink: app.get(Sink),
        redisCpuMicros: target && 'cpuMicros' in target ? target.cpuMicros : undefined,
        stop: async () => {
          await app.close();
          if (redisUrl) await deleteKeys(redisUrl, `${prefix}:*`);
        },
      };
    },
  };
}

function nestBuiltInRedis(): Subject {
  return {
    name: 'Nest built-in Redis (pub/sub)',
    async start() {
      const { hostname, port } = new URL(REDIS_URL);
      const options = { host: hostname, port: Number(port || 6379) };
      const app: INestApplication = await NestFactory.create(BuiltInBenchModule, {
        logger: ['error'],
      });
      app.connectMicroservice({ transport: Transport.REDIS, options });
      await app.init();
      await app.startAllMicroservices();
      const client: ClientProxy = ClientProxyFactory.create({
        transport: Transport.REDIS,
        options,
      });
      await client.connect();
      return {
        publish: (seq) =>
          lastValueFrom(client.emit('bench.tick', tick(seq)), { defaultValue: undefined }),
        sink: app.get(Sink),
        stop: async () => {
          await client.close();
          await app.close();
        },
      };
    },
  };
}

/**
 * `subject` with tracing on, as `OTEL_EXPORTER_OTLP_ENDPOINT` turns it on in the app: every
 * publish and delivery a span, exported in the background through the bounded queue. The
 * instrumentations of the app's entry point find ioredis loaded already here, so Redis commands
 * are not spans: the bus's own spans and their export are what is measured.
 */
function traced(subject: Subject, receiver: () => Promise<OtlpReceiver>): Subject {
  return {
    name: `${subject.name}, traced`,
    async start() {
      const telemetry = await startTracingSdk({
        OTEL_EXPORTER_OTLP_ENDPOINT: (await receiver()).url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_SERVICE_NAME: 'tributary-bench',
      });
      telemetry.describePipelines(['bench']);
      const running = await subject.start();
      return {
        ...running,
        stop: async () => {
          await running.stop();
          await telemetry.shutdown();
        },
      };
    },
  };
}

/**
 * The bus on a Redis Cluster of 3 masters with a replica each, started by the test harness on
 * free loopback ports at the first round and stopped by PID at the end of the run. Its
 * Redis CPU is the sum of the masters' (replicas replay the same writes).
 */
function tributaryRedisCluster(): Subject & { close(): Promise<void> } {
  let cluster: RedisCluster | undefined;
  const started = async (): Promise<BusRedis> => {
    cluster ??= await startRedisCluster();
    const nodes = cluster.nodes;
    return {
      clusterNodes: cluster.addresses.map((a) => `${a.host}:${a.port}`),
      cpuMicros: async () => {
        let total = 0;
        for (const node of nodes.filter((n) => n.alive())) {
          const redis = new Redis({ host: '127.0.0.1', port: node.port });
          try {
            if ((await redis.info('replication')).includes('role:master'))
              total += await redisCpuMicros(redis);
          } finally {
            redis.disconnect();
          }
        }
        return total;
      },
    };
  };
  return {
    ...tributary('Tributary Redis Cluster', started),
    close: async () => void (await cluster?.stop()),
  };
}

async function run(subject: Subject): Promise<Measurement> {
  const { publish, sink, stop, redisCpuMicros: subjectRedisCpu } = await subject.start();
  try {
    // Warm up the JIT and the connections, then measure.
    await measureThroughput(publish, (n) => sink.until(n), 5_000);
    sink.reset();
    const redis = new Redis(REDIS_URL);
    const cpu = subjectRedisCpu ?? (() => redisCpuMicros(redis));
    const redisBefore = await cpu();
    const throughput = await measureThroughput(publish, (n) => sink.until(n), EVENTS);
    const redisMicrosPerEvent = ((await cpu()) - redisBefore) / EVENTS;
    redis.disconnect();
    sink.reset();
    const sent = await publishAtRate(publish, RATE, SECONDS);
    await Promise.race([sink.until(sent), new Promise((r) => setTimeout(r, 10_000))]);
    const latency = summarize(sink.latencies, RATE);
    if (process.env.BENCH_DEBUG) {
      const slow = sink.latencies.map((ms, i) => [i, ms] as const).filter(([, ms]) => ms > 3);
      console.log(
        `\n${subject.name}: ${slow.length} events over 3 ms, at indices ${JSON.stringify(slow.slice(0, 60).map(([i, ms]) => `${i}:${ms.toFixed(1)}`))}`,
      );
    }
    if (latency.events < sent)
      console.warn(`${subject.name}: ${sent - latency.events} of ${sent} events never arrived`);
    return { throughput, latency, redisMicrosPerEvent };
  } finally {
    await stop();
  }
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const only = process.env.BENCH_ONLY?.split(',');
  const nest = nestBuiltInRedis();
  const raw = rawRedisStreams(REDIS_URL, MAX_LENGTH);
  let receiver: Promise<OtlpReceiver> | undefined;
  const otlp = () => (receiver ??= startOtlpReceiver());
  const cluster = tributaryRedisCluster();
  const subjects = [
    nest,
    tributary('Tributary Redis Streams', { url: REDIS_URL }),
    tributary('Tributary in-process'),
    raw,
    cluster,
    ...(process.env.BENCH_TRACING === '1'
      ? [
          traced(tributary('Tributary Redis Streams', { url: REDIS_URL }), otlp),
          traced(tributary('Tributary in-process'), otlp),
        ]
      : []),
  ].filter((s, i) => !only || only.includes(String(i)));
  const results: SubjectResult[] = subjects.map((s) => ({
    name: s.name,
    runs: [],
    unavailable: s.unavailable,
  }));
  // Rounds interleave the subjects, so that a busy spell on the shared machine falls on all of them.
  for (let round = 1; round <= RUNS; round++) {
    if (RUNS > 1) console.log(`round ${round} of ${RUNS}`);
    for (const [i, subject] of subjects.entries()) {
      process.stdout.write(`${subject.name}… `);
      if (subject.unavailable) {
        console.log(`not measured: ${subject.unavailable}`);
        continue;
      }
      const measurement = await run(subject);
      results[i]!.runs.push(measurement);
      console.log(`${Math.round(measurement.throughput.perSecond)} events/s`);
    }
  }
  console.log(
    `\n${EVENTS} events end to end in one process; latency at ${RATE} events/s for ${SECONDS} s` +
      `${RUNS > 1 ? `; median of ${RUNS} runs, column by column` : ''} (node ${process.version})\n`,
  );
  await cluster.close();
  console.log(reportTable(results, raw.name, nest.name));
  if (receiver) {
    const { values } = await spansDropped.get();
    const dropped = values.map((v) => `${v.labels.reason}: ${v.value}`).join(', ') || 'none';
    console.log(
      `\ntraced subjects: ${(await receiver).requests()} OTLP exports received; spans dropped (${dropped})`,
    );
    await (await receiver).close();
    await reportTracingOff(results);
  }
  const mem = process.memoryUsage();
  console.log(
    `\npeak RSS of the run ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (rss now ${(mem.rss / 1048576).toFixed(0)} MiB)`,
  );
}

/**
 * Tracing off against no tracing code: the bus's tracing calls under the API's no-op global,
 * measured beside the same steps bypassed, as a share of an in-process event's time in this run.
 */
async function reportTracingOff(results: SubjectResult[]): Promise<void> {
  const { offMicros, bypassedMicros } = await measureTracingOff();
  const inProcess = results.find((r) => r.name === 'Tributary in-process');
  const rates = (inProcess?.runs ?? []).map((m) => m.throughput.perSecond).sort((a, b) => a - b);
  const extra = offMicros - bypassedMicros;
  console.log(
    `
tracing off vs no tracing code: the bus's tracing calls ${offMicros.toFixed(2)} µs/event ` +
      `under the API's no-ops, ${bypassedMicros.toFixed(2)} µs bypassed (+${extra.toFixed(2)} µs)`,
  );
  if (rates.length > 0) {
    const eventMicros = 1e6 / rates[Math.floor(rates.length / 2)]!;
    console.log(
      `an in-process event takes ${eventMicros.toFixed(1)} µs here (tracing off): the calls are ` +
        `${((100 * extra) / eventMicros).toFixed(2)}% of it; events/s no tracing code : off ≈ ` +
        `${((eventMicros + extra) / eventMicros).toFixed(3)} : 1`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
