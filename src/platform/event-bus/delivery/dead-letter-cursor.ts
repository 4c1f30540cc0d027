import type { DeadLetter } from './dead-letter.js';

/**
 * Where a page of dead letters ended. Dead letters are listed newest first by id, then by
 * event name (descending) for equal ids: on Redis each event keeps its own dead-letter stream,
 * so two events' letters may share an id, and an id alone would skip the second of them at a
 * page boundary. Without `event` (a bare id, as earlier callers pass), every letter of that id
 * is behind the cursor.
 */
export interface DeadLetterCursor {
  id: string;
  event?: string;
}

/** The cursor right after `letter`, for the next page. */
export function cursorAfter(letter: Pick<DeadLetter, 'id' | 'event'>): DeadLetterCursor {
  return { id: letter.id, event: letter.event };
}

/** Separates the id from the event in a cursor's text: neither an id nor an event name has it. */
const SEPARATOR = '~';

/** A cursor as text: `<id>~<event>`, or the bare `<id>`. */
export function formatDeadLetterCursor(cursor: DeadLetterCursor): string {
  return cursor.event === undefined ? cursor.id : `${cursor.id}${SEPARATOR}${cursor.event}`;
}

/** Reads {@link formatDeadLetterCursor}'s text, or a bare id. */
export function parseDeadLetterCursor(text: string): DeadLetterCursor {
  const at = text.indexOf(SEPARATOR);
  return at === -1 ? { id: text } : { id: text.slice(0, at), event: text.slice(at + 1) };
}

/** A cursor given as a bare id (earlier callers) or whole. */
export function asDeadLetterCursor(before: string | DeadLetterCursor): DeadLetterCursor {
  return typeof before === 'string' ? parseDeadLetterCursor(before) : before;
}
