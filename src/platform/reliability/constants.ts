/** Injection token of the outage alerts' settings, given to `ReliabilityModule.forRoot`. */
export const RELIABILITY_OPTIONS = Symbol('RELIABILITY_OPTIONS');
