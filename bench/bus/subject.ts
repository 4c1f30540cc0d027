import type { BenchPayload, Sink } from './bench-pipelines.js';

/** A running subject: how to publish one event, the sink its trigger feeds, how to stop it. */
export interface RunningSubject {
  publish: (seq: number) => Promise<unknown>;
  sink: Sink;
  /** The Redis CPU it costs, in µs so far (the machine's Redis's by default). */
  redisCpuMicros?: () => Promise<number>;
  stop: () => Promise<void>;
}

/** One way of carrying events from a publisher to a trigger, measured in the same run as the others. */
export interface Subject {
  /** Name in the report, and the key `BENCH_ONLY` selects it by (its index in `subjects`). */
  name: string;
  /**
   * Why this subject cannot be measured yet: it is then listed in the report with this reason
   * instead of figures, never left out without a word.
   */
  unavailable?: string;
  start(): Promise<RunningSubject>;
}

/** The payload of event `seq`, stamped with the publish time on the process's clock. */
export const tick = (seq: number): BenchPayload => ({ seq, sentAt: performance.now() });
