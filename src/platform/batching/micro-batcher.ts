/**
 * Gathers the calls made in one event-loop turn (or up to `maxBatch`) and runs them as one
 * batch: many concurrent handlers then cost one multi-row statement instead of a round trip
 * each. Each caller gets its own result, or the batch's error.
 */
export class MicroBatcher<I, O = void> {
  private pending: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] =
    [];
  private scheduled = false;

  /**
   * @param flush runs one batch; returns one result per item, in order (or nothing for `void`).
   * @param maxBatch a batch this big is flushed at once, without waiting for the turn to end.
   */
  constructor(
    private readonly flush: (items: I[]) => Promise<O[] | void>,
    private readonly maxBatch = 500,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.run();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.run());
      }
    });
  }

  private run(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.flush(batch.map((entry) => entry.item)).then(
      (results) =>
        batch.forEach((entry, i) => entry.resolve((results ? results[i] : undefined) as O)),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }
}
