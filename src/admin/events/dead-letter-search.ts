import {
  cursorAfter,
  type DeadLetter,
  type DeadLetterCursor,
  type EventBus,
  formatDeadLetterCursor,
  parseDeadLetterCursor,
} from '../../platform/event-bus/index.js';
import type { DeadLetterFilter } from './events.dto.js';

/** Dead letters read from the bus at once while searching. */
const PAGE = 500;
/**
 * The most dead letters one request looks at: a filter that matches few of a large list
 * answers what it found so far and a cursor, rather than reading the whole list at once.
 */
export const SCAN_BUDGET = 10_000;

export interface Found {
  letters: DeadLetter[];
  /** Where the next page starts (`<id>~<event>`); absent, nothing older can match. */
  next?: string;
}

/**
 * Up to `limit` dead letters matching `filter`, newest first, after `cursor` (`<id>~<event>`,
 * or a bare id: older than it). The bus keeps them newest first by id, and their `deadAt`
 * follows the ids, so a letter dead before `from` ends the search. Each page goes on from the
 * last letter's id and event: two events' letters may share an id on Redis.
 */
export async function findDeadLetters(
  bus: EventBus,
  filter: DeadLetterFilter,
  limit: number,
  cursor?: string,
): Promise<Found> {
  const from = filter.from ? Date.parse(filter.from) : undefined;
  const to = filter.to ? Date.parse(filter.to) : undefined;
  const letters: DeadLetter[] = [];
  let before: DeadLetterCursor | undefined =
    cursor === undefined ? undefined : parseDeadLetterCursor(cursor);
  let scanned = 0;
  while (scanned < SCAN_BUDGET) {
    const page = await bus.listDeadLetters(PAGE, before);
    for (const letter of page) {
      scanned++;
      before = cursorAfter(letter);
      const deadAt = Date.parse(letter.deadAt);
      if (from !== undefined && deadAt < from) return { letters };
      if (
        (!filter.event || letter.event === filter.event) &&
        (!filter.pipeline || letter.pipeline === filter.pipeline) &&
        (!filter.reason || letter.reason === filter.reason) &&
        (to === undefined || deadAt <= to)
      ) {
        letters.push(letter);
        if (letters.length === limit) return { letters, next: formatDeadLetterCursor(before) };
      }
    }
    if (page.length < PAGE) return { letters };
  }
  return { letters, next: before && formatDeadLetterCursor(before) };
}
