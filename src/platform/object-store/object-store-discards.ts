import { Injectable } from '@nestjs/common';

/** Told the keys of entries an operator gave up on; it may fail, and is then told again. */
export type DiscardListener = (keys: string[]) => Promise<void>;

/**
 * Who wants to know when entries of a store are discarded (marked dead by an operator):
 * a pipeline keeping its own state about the inputs it stored registers here, so that the
 * platform's admin never has to know the pipeline.
 */
@Injectable()
export class ObjectStoreDiscards {
  private readonly listeners = new Map<string, DiscardListener[]>();

  /** Registers `listener` for `store`; the returned function unregisters it. */
  onDiscard(store: string, listener: DiscardListener): () => void {
    const list = this.listeners.get(store) ?? [];
    this.listeners.set(store, [...list, listener]);
    return () => {
      const current = this.listeners.get(store) ?? [];
      this.listeners.set(
        store,
        current.filter((l) => l !== listener),
      );
    };
  }

  /** Tells the listeners of `store`, one after the other; the first failure is thrown. */
  async notify(store: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    for (const listener of this.listeners.get(store) ?? []) await listener([...keys]);
  }
}
