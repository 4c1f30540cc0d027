/**
 * npm run bench:import — records/s of one import end to end through the four pipelines of
 * the asynchronous model (extract → process → reprocess → error handling), from a MariaDB
 * source table into the MariaDB target table over Redis Streams, with transient failures
 * of the target service that the reprocess pipeline recovers. The baseline, measured in
 * the same run (before and after the subjects), is MariaDB's raw ingest of the same rows in
 * 500-row multi-row INSERTs; figures are reported as ratios to it, since absolute figures on
 * a shared machine drift from run to run. Only loopback servers are used.
 *
 * Each subject runs in a process of its own (bench/import/scenario.ts), so that its peak RSS
 * is its own; the target service runs in yet another (bench/import/target-service.ts).
 *
 * BENCH_RECORDS (default 100000), BENCH_TRANSIENT_RATE (0.01), BENCH_PAGE_SIZE (500),
 * BENCH_BULK (100, records per bulk POST), BENCH_ONLY=bulk,split,http,table (subjects: bulk =
 * target table + target service in bulk mode, with transient failures, the headline; split =
 * the same deployed as two processes, extract/reprocess/error-handling and process, whose
 * node CPU per record is both processes'; http = one POST per record; table = target table
 * only, no failures), BENCH_MEMORY=1 (also runs the headline at 10k, 100k and 1M records and
 * prints the peak RSS of each: minutes), BENCH_CPU_PROF=<dir> (writes a .cpuprofile of each
 * subject there), BENCH_NODE_ARGS (more node flags for the subjects, e.g. --trace-gc).
 */
import { forkScript, nextMessage } from './import/child.js';
import { rawBatchInsert } from './import/database.js';
import type { ScenarioResult } from './import/scenario.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const TRANSIENT_RATE = process.env.BENCH_TRANSIENT_RATE ?? '0.01';
const ONLY = (process.env.BENCH_ONLY ?? 'bulk,split,http,table').split(',');
const BULK = process.env.BENCH_BULK ?? '100';
const MEMORY = process.env.BENCH_MEMORY === '1';
const CPU_PROF = process.env.BENCH_CPU_PROF;

interface Subject {
  name: string;
  env: Record<string, string>;
}

const failing = { BENCH_HTTP_TARGET: '1', BENCH_TRANSIENT_RATE: TRANSIENT_RATE };
const subjects: Subject[] = [
  { name: 'bulk', env: { ...failing, BENCH_HTTP_BATCH: BULK } },
  {
    name: 'split',
    env: {
      ...failing,
      BENCH_HTTP_BATCH: BULK,
      BENCH_PIPELINES: 'extract,reprocess,error-handling',
      BENCH_EXTRA_PROCESS: '1',
    },
  },
  { name: 'http', env: { ...failing, BENCH_HTTP_BATCH: '1' } },
  { name: 'table', env: { BENCH_HTTP_TARGET: '0', BENCH_TRANSIENT_RATE: '0' } },
];
const failures = `${Number(TRANSIENT_RATE) * 100}% transient 503s`;
const label: Record<string, string> = {
  bulk: `table + target service, ${BULK} records per POST, ${failures}`,
  split: `the same as two processes (extract, reprocess, error-handling / process)`,
  http: `table + target service, one POST per record, ${failures}`,
  table: 'table only, no failures',
};

async function runScenario(subject: Subject, records: number): Promise<ScenarioResult> {
  // forkScript adds the flags of `npm start` and the image; BENCH_NODE_ARGS adds more (--trace-gc…).
  const args = [
    ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : []),
    ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  const child = forkScript(
    './scenario.ts',
    { ...subject.env, BENCH_RECORDS: String(records) },
    args,
  );
  const result = await nextMessage(
    child,
    (m) => (m as { result?: ScenarioResult }).result,
    60_000 + records * 3,
  );
  await new Promise((resolve) =>
    child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve),
  );
  return result;
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number | null) => (n === null ? '–' : n.toFixed(1));

async function main(): Promise<void> {
  process.stdout.write('baseline (raw MariaDB 500-row INSERTs)… ');
  const before = await rawBatchInsert(RECORDS);
  console.log(`${f0(before.perSecond)} rows/s`);
  const results: { subject: Subject; result: ScenarioResult }[] = [];
  for (const subject of subjects.filter((s) => ONLY.includes(s.name))) {
    process.stdout.write(`${label[subject.name]}… `);
    const result = await runScenario(subject, RECORDS);
    results.push({ subject, result });
    console.log(`${f0(result.perSecond)} records/s, ${result.targetRows} target rows`);
  }
  process.stdout.write('baseline again… ');
  const after = await rawBatchInsert(RECORDS);
  console.log(`${f0(after.perSecond)} rows/s`);
  const baseline = (before.perSecond + after.perSecond) / 2;

  console.log(
    `\n${f0(RECORDS)} records, one import per subject, in one process running all pipelines (PIPELINES=all) unless stated; node ${process.version}.\n` +
      `Baseline: raw MariaDB ingest of the same rows, 500-row multi-row INSERTs on one connection = ` +
      `${f0(baseline)} rows/s (mean of ${f0(before.perSecond)} before and ${f0(after.perSecond)} after).\n`,
  );
  console.log(
    '| subject | records/s to last target write | × baseline | target rows | main flow s | retry tail drained after s | ' +
      'retried / succeeded after retry / dead | node CPU µs/record | Redis CPU µs/record | MariaDB CPU µs/record | peak RSS MiB |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const { subject, result: r } of results) {
    const exact =
      r.targetRows === r.records
        ? `${f0(r.targetRows)} ✓`
        : `${f0(r.targetRows)} ✗ (expected ${f0(r.records)})`;
    console.log(
      `| ${label[subject.name]} | ${f0(r.perSecond)} | ${(r.perSecond / baseline).toFixed(2)} | ${exact} | ${r.mainSeconds.toFixed(2)} | ` +
        `${r.drainSeconds.toFixed(2)} | ${r.counts.failed} / ${r.counts.succeededAfterRetry} / ${r.counts.dead} | ` +
        `${f0(r.nodeCpuUsPerRecord)} | ${f0(r.redisCpuUsPerRecord)} | ${r.databaseCpuUsPerRecord === null ? '–' : f0(r.databaseCpuUsPerRecord)} | ${f1(r.peakRssMiB)} |`,
    );
  }
  for (const { subject, result: r } of results) {
    console.log(
      `\n${subject.name}: extraction done after ${f1(r.extractionSeconds)} s; RSS before ${f1(r.rssBeforeMiB)} MiB, ` +
        `at 10/50/90/100% written ${r.rssAtMiB.map(f1).join(' / ')} MiB, max ${f1(r.rssMaxDuringMiB)} MiB; status ${r.status}` +
        (r.extraProcess ? `; second process peak RSS ${f1(r.extraProcess.peakRssMiB)} MiB` : '') +
        (r.target
          ? `; target service: ${r.target.posts} POSTs, ${r.target.unavailable} records answered 503, ${r.target.accepted} records accepted, ${r.target.duplicates} duplicates`
          : ''),
    );
  }

  if (MEMORY) {
    const headline = subjects[0]!;
    console.log(`\nMemory scaling (${label[headline.name]}), one process per size:\n`);
    console.log(
      '| records | records/s | × baseline | target rows | retry tail s | peak RSS MiB | RSS before → max during MiB | RSS at 10 / 50 / 90 / 100% written MiB |',
    );
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
    for (const records of [10_000, 100_000, 1_000_000]) {
      const r = await runScenario(headline, records);
      console.log(
        `| ${f0(records)} | ${f0(r.perSecond)} | ${(r.perSecond / baseline).toFixed(2)} | ${f0(r.targetRows)}${r.targetRows === records ? ' ✓' : ' ✗'} | ` +
          `${r.drainSeconds.toFixed(2)} | ${f1(r.peakRssMiB)} | ${f1(r.rssBeforeMiB)} → ${f1(r.rssMaxDuringMiB)} | ` +
          // Within one run, too: a leak grows along it; a warmed-up heap levels off.
          `${r.rssAtMiB.map(f1).join(' / ')} |`,
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
