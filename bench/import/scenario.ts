/**
 * One bench scenario in a process of its own (forked by bench/import.bench.ts): the whole
 * application with PIPELINES=all on a throw-away MariaDB database and Redis key prefix, a
 * source table of BENCH_RECORDS rows, and one import of it timed to its last target write.
 * Sends its figures to the parent over IPC.
 *
 * BENCH_RECORDS, BENCH_TRANSIENT_RATE (0 = no failures), BENCH_HTTP_TARGET (1 = also POST
 * each record to the target service), BENCH_WARMUP (records imported first, untimed),
 * BENCH_PAGE_SIZE, BENCH_PIPELINES (comma list; default all), BENCH_EXTRA_PROCESS (1 = a second
 * process running the process pipeline only).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { forkScript, nextMessage } from './child.js';
import { deleteKeys, redisCpuMicros } from '../support/redis.js';
import { type BenchAppOptions, benchToken, startBenchApp, TARGET_TABLE } from './app.js';
import { createBenchDatabase, databaseCpuMicros, fillSource } from './database.js';
import type { ExtraFigures } from './extra-process.js';
import { peakRssMiB, RssSampler } from './memory.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const TRANSIENT_RATE = Number(process.env.BENCH_TRANSIENT_RATE ?? 0.01);
const HTTP_TARGET = process.env.BENCH_HTTP_TARGET === '1';
const HTTP_BATCH = Number(process.env.BENCH_HTTP_BATCH ?? 1);
const WARMUP = Math.min(Number(process.env.BENCH_WARMUP ?? 5_000), RECORDS);
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 500);
const PIPELINES = process.env.BENCH_PIPELINES ? process.env.BENCH_PIPELINES.split(',') : 'all';
const EXTRA_PROCESS = process.env.BENCH_EXTRA_PROCESS === '1';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ScenarioResult {
  records: number;
  targetRows: number;
  /** From POST /imports to the last target write of any record. */
  seconds: number;
  perSecond: number;
  /** From POST /imports to the last write of a record that never failed. */
  mainSeconds: number;
  /** From the main flow's last write to the last write of a record that failed first (0: none, or before). */
  drainSeconds: number;
  extractionSeconds: number | null;
  counts: Record<string, number>;
  status: string;
  target: { posts: number; unavailable: number; accepted: number; duplicates: number } | null;
  peakRssMiB: number;
  rssBeforeMiB: number;
  rssMaxDuringMiB: number;
  rssAtMiB: (number | null)[];
  heapUsedEndMiB: number;
  /** CPU time per record over the timed import: this process (the app), and the Redis server. */
  nodeCpuUsPerRecord: number;
  redisCpuUsPerRecord: number;
  /** The database server's CPU per record (null when it cannot be read: not on this machine). */
  databaseCpuUsPerRecord: number | null;
  /** The second process (process pipeline only), when there is one; its CPU is in nodeCpuUsPerRecord. */
  extraProcess: ExtraFigures | null;
}

async function main(): Promise<ScenarioResult> {
  Logger.overrideLogger(['error']);
  const db = await createBenchDatabase();
  const keyPrefix = `tributary-bench:${randomBytes(4).toString('hex')}`;
  const failEvery = TRANSIENT_RATE > 0 ? Math.round(1 / TRANSIENT_RATE) : 0;
  const service = HTTP_TARGET
    ? forkScript('./target-service.ts', { BENCH_FAIL_EVERY: String(failEvery) })
    : null;
  try {
    const targetUrl = service
      ? `http://127.0.0.1:${await nextMessage(service, (m) => (m as { port?: number }).port)}/records`
      : undefined;
    const options: BenchAppOptions = {
      databaseUrl: db.url,
      redisUrl: REDIS_URL,
      keyPrefix,
      targetUrl,
      targetBatchSize: HTTP_BATCH,
      records: RECORDS,
      warmup: WARMUP,
      pageSize: PAGE_SIZE,
      jwtSecret: randomBytes(32).toString('base64url'),
    };
    const authorization = `Bearer ${await benchToken(options.jwtSecret)}`;
    const app = await startBenchApp(options, PIPELINES);
    // A second process running the process pipeline only: its replicas share the consumer group.
    const extra = EXTRA_PROCESS
      ? forkScript('./extra-process.ts', { BENCH_APP_OPTIONS: JSON.stringify(options) })
      : null;
    if (extra)
      await nextMessage(extra, (m) => ((m as { ready?: boolean }).ready ? true : undefined));
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/api/v1/imports`;
    try {
      await fillSource(db.url, 'bench_source', RECORDS);
      const startImport = async (name: string): Promise<string> => {
        const response = await fetch(base, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify({ source: name }),
        });
        if (response.status !== 202)
          throw new Error(`POST /imports answered ${response.status}: ${await response.text()}`);
        return ((await response.json()) as { id: string }).id;
      };
      const progress = async (id: string) =>
        (await (await fetch(`${base}/${id}`, { headers: { authorization } })).json()) as {
          status: string;
          counts: Record<string, number>;
          extractedAt?: string;
        };
      const settled = async (id: string, deadline: number) => {
        for (;;) {
          const p = await progress(id);
          if (p.status !== 'running') return p;
          if (Date.now() > deadline)
            throw new Error(
              `import ${id} still running at the deadline: ${JSON.stringify(p.counts)}`,
            );
          await new Promise((r) => setTimeout(r, 100));
        }
      };

      // Warm the JIT, the pools and the streams up, untimed.
      if (WARMUP > 0) await settled(await startImport('warmup'), Date.now() + 120_000);
      global.gc?.();

      const sampler = new RssSampler();
      const rssBeforeMiB = process.memoryUsage.rss() / 1048576;
      sampler.start();
      // Counting the target is a scan the database pays for: poll seldom. The figures come from
      // the rows' own write times, so polling less does not make them coarser.
      const pollMs = 1000;
      const deadline = Date.now() + 60_000 + RECORDS * 2;
      const redis = new Redis(REDIS_URL);
      const redisCpuBefore = await redisCpuMicros(redis);
      const databaseCpuBefore = await databaseCpuMicros(db.connection);
      const cpuBefore = process.cpuUsage();
      extra?.send('mark');
      const started = Date.now();
      const windowFrom = process.hrtime.bigint() / 1000n;
      const id = await startImport('bench');
      let rows = 0;
      while (rows < RECORDS) {
        if (Date.now() > deadline)
          throw new Error(`only ${rows} of ${RECORDS} target rows at the deadline`);
        await new Promise((r) => setTimeout(r, pollMs));
        const [[row]] = (await db.connection.query(
          `SELECT COUNT(*) AS n FROM ${TARGET_TABLE} WHERE source = 'bench'`,
        )) as unknown as [[{ n: number }]];
        rows = Number(row.n);
        sampler.progress(rows);
      }
      const final = await settled(id, deadline);
      sampler.stop();
      const cpu = process.cpuUsage(cpuBefore);
      let extraFigures: ExtraFigures | null = null;
      if (extra) {
        extra.send('stop');
        extraFigures = await nextMessage(extra, (m) => (m as { figures?: ExtraFigures }).figures);
      }
      const redisCpu = (await redisCpuMicros(redis)) - redisCpuBefore;
      const databaseCpuAfter = await databaseCpuMicros(db.connection);
      const databaseCpu =
        databaseCpuBefore === null || databaseCpuAfter === null
          ? null
          : databaseCpuAfter - databaseCpuBefore;
      redis.disconnect();
      // The timed window in the CPU profile's clock (µs), for summarize-profile.py --window.
      if (process.execArgv.some((a) => a.startsWith('--cpu-prof')))
        console.error(`profile window ${windowFrom} ${process.hrtime.bigint() / 1000n}`);
      // Times of the last writes, from the rows themselves (the writer stamps updated_at): no polling granularity.
      const [lasts] = (await db.connection.query(
        `SELECT r.retried AS retried, MAX(t.updated_at) AS last FROM ${TARGET_TABLE} t
           JOIN import_records r ON r.import_id = t.import_id AND r.record_key = t.record_key
          WHERE t.source = 'bench' GROUP BY r.retried`,
      )) as unknown as [{ retried: number; last: Date }[]];
      const [[count]] = (await db.connection.query(
        `SELECT COUNT(*) AS n FROM ${TARGET_TABLE} WHERE source = 'bench'`,
      )) as unknown as [[{ n: number }]];
      const lastMain = lasts.find((l) => !Number(l.retried))?.last.getTime() ?? started;
      const lastRetried = lasts.find((l) => Number(l.retried))?.last.getTime() ?? lastMain;
      const lastAny = Math.max(lastMain, lastRetried);
      const seconds = (lastAny - started) / 1000;
      const target = service
        ? await (async () => {
            service.send('stats');
            return nextMessage(service, (m) =>
              (m as { posts?: number }).posts !== undefined
                ? (m as ScenarioResult['target'])
                : undefined,
            );
          })()
        : null;
      return {
        records: RECORDS,
        targetRows: Number(count.n),
        seconds,
        perSecond: RECORDS / seconds,
        mainSeconds: (lastMain - started) / 1000,
        drainSeconds: Math.max(0, lastRetried - lastMain) / 1000,
        extractionSeconds: final.extractedAt
          ? (new Date(final.extractedAt).getTime() - started) / 1000
          : null,
        counts: final.counts,
        status: final.status,
        target,
        peakRssMiB: peakRssMiB(),
        rssBeforeMiB,
        rssMaxDuringMiB: sampler.maxMiB(),
        rssAtMiB: sampler.at([0.1, 0.5, 0.9, 1], RECORDS),
        heapUsedEndMiB: process.memoryUsage().heapUsed / 1048576,
        nodeCpuUsPerRecord: (cpu.user + cpu.system + (extraFigures?.cpuUs ?? 0)) / RECORDS,
        extraProcess: extraFigures,
        redisCpuUsPerRecord: redisCpu / RECORDS,
        databaseCpuUsPerRecord: databaseCpu === null ? null : databaseCpu / RECORDS,
      };
    } finally {
      if (extra && extra.exitCode === null) extra.kill();
      await app.close();
    }
  } finally {
    service?.send('stop');
    await db.drop();
    await deleteKeys(REDIS_URL, `${keyPrefix}:*`);
  }
}

main().then(
  (result) => {
    if (process.send) process.send({ result }, () => process.exit(0));
    else {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    }
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
