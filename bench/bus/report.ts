import { type Latency, percentile, type Throughput } from './measure.js';

/** What one run of one subject measured. */
export interface Measurement {
  throughput: Throughput;
  latency: Latency;
  redisMicrosPerEvent: number;
}

/** A subject's line in the report: its runs' measurements, or why it was not measured. */
export interface SubjectResult {
  name: string;
  runs: Measurement[];
  unavailable?: string;
}

/** The figures a row shows: each one the median over the subject's runs, taken column by column. */
interface Row {
  perSecond: number;
  cpu: number;
  redis: number;
  p50: number;
  p99: number;
  max: number;
}

function medianRow(runs: Measurement[]): Row {
  const median = (pick: (m: Measurement) => number) =>
    percentile(
      runs.map(pick).sort((a, b) => a - b),
      50,
    );
  return {
    perSecond: median((m) => m.throughput.perSecond),
    cpu: median((m) => m.throughput.cpuMicrosPerEvent),
    redis: median((m) => m.redisMicrosPerEvent),
    p50: median((m) => m.latency.p50),
    p99: median((m) => m.latency.p99),
    max: median((m) => m.latency.max),
  };
}

/**
 * The Markdown table of a run: events/s with the ratio to the raw Redis Streams loop (the
 * broker's limit as our code approaches it) and to Nest's built-in Redis transport, CPU per
 * event, and latency at the steady rate. A ratio whose reference was not run reads "n/a".
 */
export function reportTable(results: SubjectResult[], rawName: string, nestName: string): string {
  const rows = new Map(
    results.filter((r) => r.runs.length > 0).map((r) => [r.name, medianRow(r.runs)]),
  );
  const ratio = (row: Row, reference: string) => {
    const base = rows.get(reference);
    return base ? (row.perSecond / base.perSecond).toFixed(2) : 'n/a';
  };
  const lines = [
    '| subject | events/s | × raw loop | × Nest built-in | node CPU µs/event | Redis CPU µs/event | p50 ms | p99 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const result of results) {
    const row = rows.get(result.name);
    if (!row) {
      lines.push(`| ${result.name} | not measured: ${result.unavailable ?? 'no run'} ||||||||`);
      continue;
    }
    lines.push(
      `| ${result.name} | ${Math.round(row.perSecond)} | ${ratio(row, rawName)} | ${ratio(row, nestName)} | ` +
        `${row.cpu.toFixed(1)} | ${row.redis.toFixed(1)} | ` +
        `${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.max.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}
