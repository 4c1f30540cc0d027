/** Injection token of the notifiers' settings (`notifiers`), given to `NotifiersModule.forRoot`. */
export const NOTIFIERS_OPTIONS = Symbol('NOTIFIERS_OPTIONS');
