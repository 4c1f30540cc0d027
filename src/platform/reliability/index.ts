/**
 * How the platform waits out failures: the one backoff, what is an outage of the database or
 * broker (`outageOf`), and one alert per outage.
 */
export { backoff, retryDelay } from './backoff.js';
export { type Outage, type OutageDependency, OUTAGE_RETRY_MS, outageOf } from './outage.js';
export { type ReliabilityOptions } from './outage-alerts.js';
export { ReliabilityModule } from './reliability.module.js';
