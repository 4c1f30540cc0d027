/**
 * The longest error message the platform keeps (an error event's `message`, an error record's,
 * an Object Store entry's `lastError`): what is longer is cut (see `truncate`).
 */
export const MAX_MESSAGE_LENGTH = 4000;

/**
 * `Name: message` of anything thrown, for logs, error events and dead letters; a plain object
 * (a driver's error code, a peer's JSON answer) as JSON, so that its fields are not lost.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) {
    try {
      return JSON.stringify(error);
    } catch {
      // A circular object: its string form is all there is to tell.
      return String(error);
    }
  }
  return String(error);
}
