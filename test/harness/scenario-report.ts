import { appendFileSync } from 'node:fs';
import type { Reckoning } from './reckoning.js';

/** One line of a scenario's table: one flow's business outcome. */
export interface ReportRow {
  /** What was counted: "receipts (SMTP)", "records at the target"… */
  flow: string;
  reckoning: Reckoning;
  /** Duplicates the docs allow in this scenario (0 unless they say otherwise). */
  allowed?: number;
  /** From the end of the fault to the last delivery; null when it never recovered. */
  recoverMs?: number | null;
}

/** Where the tables also go, one after the other, when set (CI keeps the file). */
export const REPORT_FILE_VARIABLE = 'FAULT_REPORT_FILE';

/**
 * Prints a scenario's table (sent, delivered, lost, duplicated, time to recover) and any
 * notes (figures measured, like answer times), as Markdown, to standard output and to the
 * report file.
 */
export function printReport(scenario: string, rows: ReportRow[], notes: string[] = []): string {
  const lines = [
    `### ${scenario}`,
    '',
    '| flow | sent | delivered | lost | duplicated (allowed) | time to recover |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows
      .map(({ flow, reckoning: r, allowed = 0, recoverMs }) =>
        [
          flow,
          r.sent,
          r.delivered,
          r.lost.length,
          `${r.duplicated.length} (${allowed})`,
          recoverMs === undefined
            ? '–'
            : recoverMs === null
              ? 'never'
              : `${(recoverMs / 1000).toFixed(1)} s`,
        ].join(' | '),
      )
      .map((line) => `| ${line} |`),
    ...(notes.length > 0 ? ['', ...notes.map((note) => `- ${note}`)] : []),
    '',
  ];
  const text = lines.join('\n');
  console.log(text);
  const file = process.env[REPORT_FILE_VARIABLE];
  if (file) appendFileSync(file, `${text}\n`);
  return text;
}
