import { isCluster, type RedisConnection, scanKeys } from '../../../redis/index.js';
import { fieldOf, type StreamEntry } from './redis-streams.events.js';
import { LegacyRedisStreamsKeys, RedisStreamsKeys } from './redis-streams.keys.js';

export const UPGRADE_COMMAND = 'npm run bus:upgrade-keys';

/** Redis holds the bus's keys under the names used before the Cluster layout. */
export class OldKeyLayoutError extends Error {
  override readonly name = 'OldKeyLayoutError';

  constructor(prefix: string, keys: string[]) {
    const shown =
      keys.slice(0, 3).join(', ') + (keys.length > 3 ? `, and ${keys.length - 3} more` : '');
    super(
      `Redis holds event-bus keys under prefix ${prefix} in the layout before hash-tagged keys (${shown}): ` +
        `stop every replica and run \`${UPGRADE_COMMAND}\` with the same Redis and BUS_KEY_PREFIX, then start again ` +
        '(docs/operations.md#upgrading-the-key-layout)',
    );
  }
}

/** The keys of the old layout under `prefix`: untagged event streams and the shared dead-letter stream. */
export async function oldLayoutKeys(redis: RedisConnection, prefix: string): Promise<string[]> {
  const legacy = new LegacyRedisStreamsKeys(prefix);
  const [streams, deadLetters] = await Promise.all([
    scanKeys(redis, legacy.streamPattern(), 'stream'),
    redis.exists(legacy.deadLetter()),
  ]);
  return [
    ...streams.filter((key) => legacy.isStream(key)).sort(),
    ...(deadLetters ? [legacy.deadLetter()] : []),
  ];
}

/** Refuses to run the bus over keys it would not see: their events would sit there unread. */
export async function assertCurrentLayout(redis: RedisConnection, prefix: string): Promise<void> {
  const old = await oldLayoutKeys(redis, prefix);
  if (old.length > 0) throw new OldKeyLayoutError(prefix, old);
}

export interface UpgradeReport {
  /** Streams renamed, with their consumer groups and pending entries. */
  streams: string[];
  /** Dead letters moved to their event's dead-letter stream, under the same ids. */
  deadLetters: number;
}

/** Copying stream entries stays within a bounded reply. */
const PAGE = 500;

/**
 * Moves the old layout's keys to the current one, on one node or a Sentinel group's master:
 * each event stream is RENAMEd (its groups, their last-delivered ids and pending entries go
 * with it), and the shared dead-letter stream is split into one per event, each entry under
 * its old id so that ids operators noted stay valid. Safe to run again after an interruption:
 * a dead letter already copied is refused by XADD (same id) and skipped.
 *
 * On a Cluster RENAME between slots is refused; no release before this layout ran on a
 * Cluster, so there is nothing to move there (operations.md says how to copy by hand).
 */
export async function upgradeKeyLayout(
  redis: RedisConnection,
  prefix: string,
): Promise<UpgradeReport> {
  if (isCluster(redis)) {
    throw new Error(
      'the key layout is upgraded on a single node or a Sentinel group: on a Cluster, copy the streams by hand (docs/operations.md#upgrading-the-key-layout)',
    );
  }
  const legacy = new LegacyRedisStreamsKeys(prefix);
  const keys = new RedisStreamsKeys(prefix);
  const report: UpgradeReport = { streams: [], deadLetters: 0 };
  for (const key of await oldLayoutKeys(redis, prefix)) {
    if (!legacy.isStream(key)) continue;
    const target = keys.stream(legacy.eventOf(key));
    // RENAMENX: a stream already under the new name (events published since) is not overwritten.
    if ((await redis.renamenx(key, target)) === 0) {
      throw new Error(
        `${key} and ${target} both exist: events were published under the new layout meanwhile; merge them by hand (docs/operations.md#upgrading-the-key-layout)`,
      );
    }
    report.streams.push(`${key} → ${target}`);
  }
  let from = '-';
  for (;;) {
    const page = (await redis.xrange(
      legacy.deadLetter(),
      from,
      '+',
      'COUNT',
      PAGE,
    )) as StreamEntry[];
    for (const [id, fields] of page) {
      const event = fieldOf(fields, 'event') ?? 'unknown';
      try {
        await redis.xadd(keys.deadLetter(event), id, ...(fields ?? []));
        report.deadLetters++;
      } catch (error) {
        // Copied by an earlier, interrupted run.
        if (!(error as Error).message.includes('equal or smaller')) throw error;
      }
    }
    if (page.length < PAGE) break;
    from = `(${page[page.length - 1]![0]}`;
  }
  await redis.del(legacy.deadLetter());
  return report;
}
