export const EVENT_TRIGGER_METADATA = 'tributary:event-trigger';
export const PUBLISHER_METADATA = 'tributary:publishers';

/** Injection tokens. */
export const EVENT_BUS_CLIENT = Symbol('EVENT_BUS_CLIENT');
export const EVENT_BUS_SERVER = Symbol('EVENT_BUS_SERVER');
export const EVENT_BUS_OPTIONS = Symbol('EVENT_BUS_OPTIONS');
export const TRIGGER_DEFAULTS = Symbol('TRIGGER_DEFAULTS');

export const publisherToken = (event: string): string => `tributary:publisher:${event}`;
