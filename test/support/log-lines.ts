import { Writable } from 'node:stream';

/** A JSON log line as the application writes it. */
export interface LogLine {
  level?: number;
  msg?: string;
  [field: string]: unknown;
}

/**
 * Captures the application's JSON log lines (`logStream` of `startTestApp` or `createApp`).
 * nestjs-pino keeps the first app's stream for the whole process: make one capture per spec
 * file, shared by its apps.
 */
export function captureLogs(): { lines: LogLine[]; logStream: Writable } {
  const lines: LogLine[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { lines, logStream };
}
