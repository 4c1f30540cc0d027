import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appConfig } from '../../src/config/app-config.js';
import { composeDefaults, type Json } from '../../src/platform/config/index.js';

const root = resolve(import.meta.dirname, '../..');

/**
 * Durations that are not timings of a flow under fault, so they keep their default: how long
 * a process waits for Redis at start; how long a peer may take to answer (a round trip on a
 * busy two-core machine takes what it takes: scaled, a healthy peer would time out); windows
 * and retentions far longer than any run.
 */
const UNSCALED = new Set([
  'bus.connectTimeoutMs',
  'notifiers.email.timeoutMs',
  'notifiers.itsm.timeoutMs',
  'purchaseFlow.notificationService.timeoutMs',
  'importFlow.target.timeoutMs',
  'http.rateLimit.ttlMs',
  'objectStore.doneRetentionMs',
  'purchaseFlow.idempotencyRetentionMs',
]);

/**
 * Every default duration (a key ending in `Ms`, from every configuration fragment) divided by
 * `factor`, so that a run lasts seconds where production's lasts minutes while each timing
 * keeps its proportion to the others (`bus.claimIdleMs` to `purchaseFlow.deliveryLeaseMs`, a retry's backoff to a
 * lease…), which is what the faults exercise. Only the changed keys are returned.
 */
export function scaledTimings(factor: number, defaults: Json = readDefaults()): Json {
  const walk = (node: Json, path: string[]): Json | undefined => {
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, key];
      if (typeof value === 'number' && key.endsWith('Ms') && !UNSCALED.has(at.join('.'))) {
        out[key] = Math.max(1, Math.round(value / factor));
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const inner = walk(value as Json, at);
        if (inner) out[key] = inner;
      }
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return walk(defaults, []) ?? {};
}

/**
 * Writes a configuration folder for app processes (`CONFIG_DIR`): the project's
 * `default.json` as it is, and `<environment>.json` with `settings`, the way a deployment
 * adds its own file. Run the apps with `NODE_ENV=<environment>`.
 */
export function writeConfigDir(dir: string, environment: string, settings: Json): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'default.json'), readFileSync(join(root, 'config/default.json')));
  writeFileSync(join(dir, `${environment}.json`), JSON.stringify(settings, null, 2));
  return dir;
}

/** The defaults of every fragment of the application, each at its key. */
function readDefaults(): Json {
  return composeDefaults(appConfig);
}
