/** Samples the resident set size while an import runs, so a report can show whether it stays flat. */
export class RssSampler {
  readonly samples: { at: number; rss: number; done: number }[] = [];
  private timer?: NodeJS.Timeout;
  private done = 0;

  private started = 0;

  start(everyMs = 200): void {
    this.started = performance.now();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    this.samples.push({
      at: performance.now() - this.started,
      rss: process.memoryUsage.rss(),
      done: this.done,
    });
  }

  /** Records written so far, stamped on the next samples. */
  progress(done: number): void {
    this.done = done;
  }

  /** Takes a last sample, so that the end of the run is in. */
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  maxMiB(): number {
    return Math.max(0, ...this.samples.map((s) => s.rss)) / 1048576;
  }

  /** RSS (MiB) at the first sample past each fraction of `total` records written. */
  at(fractions: number[], total: number): (number | null)[] {
    return fractions.map((f) => {
      const sample = this.samples.find((s) => s.done >= f * total);
      return sample ? sample.rss / 1048576 : null;
    });
  }
}

/** Peak RSS of this process so far, in MiB. */
export const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024;
