/** Injection token of the marks' settings (`handledKeys`), given to `HandledKeysPurgeModule.forRoot`. */
export const HANDLED_KEYS_OPTIONS = Symbol('HANDLED_KEYS_OPTIONS');
