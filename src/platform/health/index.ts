/** Liveness and readiness probes. */
export { HealthModule } from './health.module.js';
