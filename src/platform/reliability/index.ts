/** Outages of the database or broker: what is one (`outageOf`), and one alert per outage. */
export { type Outage, type OutageDependency, OUTAGE_RETRY_MS, outageOf } from './outage.js';
export { type ReliabilityOptions } from './outage-alerts.js';
export { ReliabilityModule } from './reliability.module.js';
