import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config.js';
import type { DeepPartial } from '../../src/platform/config/index.js';
import type { ProfileResources } from '../support/profiles.js';
import { TcpRelay } from './tcp-relay.js';

/** A way to take a profile's database away from the application, and give it back. */
export interface DatabaseOutage {
  /** Overrides that point the application at a database this can take away. */
  overrides: DeepPartial<AppConfig>;
  begin(): Promise<void>;
  end(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * On the real profile, the application reaches MariaDB through a relay, which is cut: new
 * connections are refused, open ones lost. The embedded SQLite file cannot be cut off: another
 * connection holds its write lock instead, so the application's writes find it busy (reads go
 * on: in WAL mode they never wait for a writer).
 */
export async function databaseOutage(profile: ProfileResources): Promise<DatabaseOutage> {
  if (profile.name === 'real') {
    const url = new URL(profile.overrides.database!.url!);
    const relay = new TcpRelay(url.hostname, Number(url.port || 3306));
    await relay.open();
    url.hostname = '127.0.0.1';
    url.port = String(relay.port);
    let cut = false;
    return {
      overrides: { database: { url: url.toString() } },
      begin: async () => {
        cut = true;
        await relay.cut();
      },
      end: async () => {
        if (cut) await relay.open();
        cut = false;
      },
      dispose: () => relay.cut(),
    };
  }
  let holder: DataSource | undefined;
  let locked = false;
  return {
    overrides: {},
    begin: async () => {
      holder ??= await new DataSource({
        type: 'better-sqlite3',
        database: profile.overrides.database!.sqlitePath!,
        enableWAL: true,
      }).initialize();
      await holder.query('BEGIN IMMEDIATE');
      locked = true;
    },
    end: async () => {
      if (locked) await holder!.query('COMMIT');
      locked = false;
    },
    dispose: async () => {
      if (holder?.isInitialized) await holder.destroy();
    },
  };
}
