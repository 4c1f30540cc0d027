/**
 * What a pipeline's spec needs, in one import: the two profiles, the app started on one, its
 * HTTP agents and tokens, waiting for an outcome, captured logs, a spec database, a scheduled
 * task run on demand, the bus's deliveries watched, and an event delivered again. The other
 * files here serve particular specs (peers, outages).
 */
export { redeliver, watchDeliveries } from './bus-deliveries.js';
export { createSpecDatabase, type DatabaseKind, openSpecDatabase } from './databases.js';
export { captureLogs, type LogLine } from './log-lines.js';
export {
  prepareProfile,
  profileDatabases,
  type ProfileName,
  type ProfileResources,
  profiles,
} from './profiles.js';
export { runTaskNow } from './recurring-tasks.js';
export {
  eventually,
  specCatalogue,
  startTestApp,
  type StartOptions,
  TEST_JWT_SECRET,
  type TestApp,
  testConfig,
  testToken,
} from './test-app.js';
