/**
 * What a peer received of what was sent, counted per business key (a purchase id, a record's
 * idempotency key): how many arrived, which never did, which arrived more than once.
 */
export interface Reckoning {
  sent: number;
  /** Keys that arrived at least once. */
  delivered: number;
  /** Keys sent that never arrived. */
  lost: string[];
  /** Keys that arrived more than once, with how many times. */
  duplicated: [key: string, times: number][];
}

/** Counts items per key; an item without a key is left out. */
export function countBy<T>(
  items: Iterable<T>,
  keyOf: (item: T) => string | undefined,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Reckons what arrived (`received`, per key) against the keys `sent`. */
export function reckon(sent: Iterable<string>, received: ReadonlyMap<string, number>): Reckoning {
  const keys = [...new Set(sent)];
  const lost = keys.filter((key) => (received.get(key) ?? 0) === 0);
  const duplicated = keys
    .map((key): [string, number] => [key, received.get(key) ?? 0])
    .filter(([, times]) => times > 1);
  return { sent: keys.length, delivered: keys.length - lost.length, lost, duplicated };
}
