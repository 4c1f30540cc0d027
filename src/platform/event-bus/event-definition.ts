/** Payload classes are class-validator DTOs; validation runs before a trigger's handler. */
export type PayloadType<T = unknown> = new (...args: never[]) => T;

/**
 * An event's contract: its name and the class of its payload. Publishers and triggers
 * share the definition, never each other.
 */
export interface EventDefinition<T = unknown> {
  readonly name: string;
  readonly payloadType?: PayloadType<T>;
}

/** An event's name: lower-case words joined by dots or dashes (`purchase.completed`). */
export const EVENT_NAME = /^[a-z0-9]+([.-][a-z0-9]+)*$/;

export function defineEvent<T>(name: string, payloadType?: PayloadType<T>): EventDefinition<T> {
  if (!EVENT_NAME.test(name)) {
    throw new Error(`event name '${name}' must be lower-case words joined by dots or dashes`);
  }
  return Object.freeze({ name, payloadType });
}
