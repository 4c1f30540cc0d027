/**
 * More than one event holds a dead letter with this id: ids are unique per event's dead
 * letters only (two events' dead letters made in the same millisecond may share one). The
 * caller names the event; acting on a guess could replay or delete the wrong event.
 */
export class DeadLetterAmbiguousError extends Error {
  override readonly name = 'DeadLetterAmbiguousError';

  constructor(
    readonly id: string,
    readonly events: readonly string[],
  ) {
    super(
      `dead letter id '${id}' is held by more than one event (${events.join(', ')}): ` +
        `name the one meant with ?event=<name>`,
    );
  }
}
