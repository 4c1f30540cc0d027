export interface Throughput {
  events: number;
  seconds: number;
  perSecond: number;
  /** CPU time of this process per event: steadier than wall time on a shared machine. */
  cpuMicrosPerEvent: number;
}

export interface Latency {
  rate: number;
  events: number;
  p50: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Publishes `count` events keeping at most `window` publishes in flight; resolves when all were handled. */
export async function measureThroughput(
  publish: (seq: number) => Promise<unknown>,
  handled: (count: number) => Promise<void>,
  count: number,
  window = 2000,
): Promise<Throughput> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let inFlight: Promise<unknown>[] = [];
  for (let seq = 0; seq < count; seq++) {
    inFlight.push(publish(seq));
    if (inFlight.length >= window) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  await handled(count);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    events: count,
    seconds,
    perSecond: count / seconds,
    cpuMicrosPerEvent: (used.user + used.system) / count,
  };
}

/** Publishes at a steady `rate` per second for `seconds`, in 1 ms ticks; latencies come from the sink. */
export async function publishAtRate(
  publish: (seq: number) => Promise<unknown>,
  rate: number,
  seconds: number,
): Promise<number> {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
    while (sent < due) pending.push(publish(sent++));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  return total;
}

export function summarize(latencies: number[], rate: number): Latency {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    rate,
    events: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}
