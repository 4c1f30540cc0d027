import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../platform/config/index.js';
import { loadAppConfig as loadConfig } from './app-config.js';

const configDir = resolve(import.meta.dirname, '../../config');
const load = (env: Record<string, string>) =>
  loadConfig({ env: { NODE_ENV: 'development', ...env }, configDir });

describe('configuration', () => {
  it('runs on the embedded default with nothing set', () => {
    const config = load({});
    expect(config.http.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.pipelines).toBe('all');
  });

  it('lets environment variables override the files', () => {
    const config = load({
      PORT: '8080',
      DATABASE_URL: 'mysql://u:p@db:3306/tributary',
      REDIS_URL: 'redis://cache:6379',
      PIPELINES: 'store-receipt, bank-notification',
      DATABASE_MIGRATE_ON_START: 'false',
      TRUSTED_PROXIES: '10.0.0.0/8,192.168.1.1',
    });
    expect(config.http.port).toBe(8080);
    expect(config.database.url).toBe('mysql://u:p@db:3306/tributary');
    expect(config.database.migrateOnStart).toBe(false);
    expect(config.redis.url).toBe('redis://cache:6379');
    expect(config.pipelines).toEqual(['store-receipt', 'bank-notification']);
    expect(config.http.trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });

  it('POSTs one record at a time to the target service unless a batch size is set', () => {
    expect(load({}).importFlow.target.httpBatchSize).toBe(1);
    expect(load({ IMPORT_TARGET_HTTP_BATCH_SIZE: '250' }).importFlow.target.httpBatchSize).toBe(
      250,
    );
  });

  it('alerts on an outage of the database or broker after a minute unless BUS_OUTAGE_ALERT_AFTER_MS says otherwise', () => {
    expect(load({}).bus.outageAlertAfterMs).toBe(60_000);
    expect(load({ BUS_OUTAGE_ALERT_AFTER_MS: '300000' }).bus.outageAlertAfterMs).toBe(300_000);
    expect(() => load({ BUS_OUTAGE_ALERT_AFTER_MS: '0' })).toThrow(
      /BUS_OUTAGE_ALERT_AFTER_MS \(bus\.outageAlertAfterMs\): Too small/,
    );
  });

  it('keeps an Idempotency-Key 24 hours unless IDEMPOTENCY_RETENTION_MS says otherwise', () => {
    expect(load({}).purchaseFlow.idempotencyRetentionMs).toBe(86_400_000);
    expect(load({ IDEMPOTENCY_RETENTION_MS: '3600000' }).purchaseFlow.idempotencyRetentionMs).toBe(
      3_600_000,
    );
  });

  it('republishes a purchase nobody claimed after a minute, then at most hourly, unless PURCHASE_OUTBOX_GRACE_MS says otherwise', () => {
    expect(load({}).purchaseFlow.outbox).toEqual({
      graceMs: 60_000,
      maxDelayMs: 3_600_000,
      intervalMs: 15_000,
      batchSize: 100,
    });
    expect(load({ PURCHASE_OUTBOX_GRACE_MS: '5000' }).purchaseFlow.outbox.graceMs).toBe(5_000);
  });

  it('bounds the outbox batch and keeps its longest wait at least its grace', () => {
    const outbox = (patch: { batchSize?: number; graceMs?: number }) =>
      loadConfig({ env: {}, configDir, overrides: { purchaseFlow: { outbox: patch } } });
    expect(outbox({ batchSize: 1000 }).purchaseFlow.outbox.batchSize).toBe(1000);
    expect(() => outbox({ batchSize: 1001 })).toThrow(/purchaseFlow\.outbox\.batchSize: .*1000/);
    expect(() => load({ PURCHASE_OUTBOX_GRACE_MS: '7200000' })).toThrow(
      /purchaseFlow\.outbox\.maxDelayMs: at least graceMs/,
    );
  });

  it('keeps the mark of a handled key 30 days after its last delivery unless HANDLED_KEYS_RETENTION_MS says otherwise', () => {
    expect(load({}).handledKeys).toEqual({
      retentionMs: 2_592_000_000,
      purge: { intervalMs: 60_000, batchSize: 1000 },
    });
    expect(load({ HANDLED_KEYS_RETENTION_MS: '86400000' }).handledKeys.retentionMs).toBe(
      86_400_000,
    );
  });

  it('refuses a retention of handled keys within the wait between two republishes of the outbox, naming both keys', () => {
    // By default the outbox waits at most an hour, then the next sweep (15 s).
    expect(load({ HANDLED_KEYS_RETENTION_MS: '3615001' }).handledKeys.retentionMs).toBe(3_615_001);
    for (const retention of ['3615000', '600000']) {
      expect(() => load({ HANDLED_KEYS_RETENTION_MS: retention })).toThrow(ConfigError);
      expect(() => load({ HANDLED_KEYS_RETENTION_MS: retention })).toThrow(
        new RegExp(
          `purchaseFlow\\.outbox\\.maxDelayMs: with purchaseFlow\\.outbox\\.intervalMs \\(3615000 ms between two republishes at most\\), must stay below handledKeys\\.retentionMs \\(${retention}\\)`,
        ),
      );
    }
    // A longer wait between republishes needs a longer retention.
    expect(() =>
      loadConfig({
        env: { NODE_ENV: 'development', HANDLED_KEYS_RETENTION_MS: '86400000' },
        configDir,
        overrides: { purchaseFlow: { outbox: { maxDelayMs: 86_400_000 } } } as never,
      }),
    ).toThrow(/purchaseFlow\.outbox\.maxDelayMs: .*handledKeys\.retentionMs \(86400000\)/);
  });

  it('keeps a done Object Store entry 7 days unless OBJECT_STORE_DONE_RETENTION_MS says otherwise', () => {
    expect(load({}).objectStore).toEqual({
      doneRetentionMs: 604_800_000,
      purge: { intervalMs: 60_000, batchSize: 1000 },
    });
    expect(load({ OBJECT_STORE_DONE_RETENTION_MS: '3600000' }).objectStore.doneRetentionMs).toBe(
      3_600_000,
    );
  });

  it('bounds the Object Store purge batch', () => {
    const purge = (batchSize: number) =>
      loadConfig({
        env: {},
        configDir,
        overrides: { objectStore: { purge: { batchSize } } },
      });
    expect(purge(10_000).objectStore.purge.batchSize).toBe(10_000);
    expect(() => purge(0)).toThrow(/objectStore\.purge\.batchSize: .*>0/);
    expect(() => purge(10_001)).toThrow(/objectStore\.purge\.batchSize: .*10000/);
  });

  it('applies the file of NODE_ENV over the defaults', () => {
    expect(loadConfig({ env: { NODE_ENV: 'test' }, configDir }).bus.claimIdleMs).toBe(1500);
    expect(load({}).bus.claimIdleMs).toBe(60000);
  });

  it.each([
    ['PORT', 'abc', /PORT: expected an integer, got 'abc'/],
    ['PORT', '70000', /PORT \(http\.port\): .*65535/],
    [
      'DATABASE_URL',
      'postgres://db/x',
      /DATABASE_URL \(database\.url\): a mysql:\/\/ or mariadb:\/\/ URL/,
    ],
    ['REDIS_URL', 'localhost:6379', /REDIS_URL \(redis\.url\): a redis:\/\/ or rediss:\/\/ URL/],
    ['DATABASE_MIGRATE_ON_START', 'maybe', /DATABASE_MIGRATE_ON_START: expected true or false/],
    ['PIPELINES', 'Bad Name', /PIPELINES \(pipelines\.0\)/],
    [
      'IMPORT_TARGET_HTTP_BATCH_SIZE',
      '0',
      /IMPORT_TARGET_HTTP_BATCH_SIZE \(importFlow\.target\.httpBatchSize\)/,
    ],
    [
      'IMPORT_TARGET_HTTP_BATCH_SIZE',
      '1001',
      /IMPORT_TARGET_HTTP_BATCH_SIZE \(importFlow\.target\.httpBatchSize\): .*1000/,
    ],
    ['IDEMPOTENCY_RETENTION_MS', '1d', /IDEMPOTENCY_RETENTION_MS: expected an integer, got '1d'/],
    [
      'IDEMPOTENCY_RETENTION_MS',
      '0',
      /IDEMPOTENCY_RETENTION_MS \(purchaseFlow\.idempotencyRetentionMs\): .*>=1/,
    ],
    [
      'PURCHASE_OUTBOX_GRACE_MS',
      '0',
      /PURCHASE_OUTBOX_GRACE_MS \(purchaseFlow\.outbox\.graceMs\): .*>=1/,
    ],
    [
      'OBJECT_STORE_DONE_RETENTION_MS',
      '7d',
      /OBJECT_STORE_DONE_RETENTION_MS: expected an integer, got '7d'/,
    ],
    [
      'OBJECT_STORE_DONE_RETENTION_MS',
      '0',
      /OBJECT_STORE_DONE_RETENTION_MS \(objectStore\.doneRetentionMs\): .*>=1/,
    ],
  ])('stops on %s=%s with a message naming the key', (name, value, message) => {
    expect(() => load({ [name]: value })).toThrow(ConfigError);
    expect(() => load({ [name]: value })).toThrow(message);
  });

  describe('Redis topology', () => {
    it('reads a Sentinel group or a Cluster from the environment, with credentials and TLS', () => {
      const sentinel = load({
        REDIS_SENTINELS: 's1:26379, s2:26379',
        REDIS_SENTINEL_NAME: 'main',
        REDIS_PASSWORD: 'p',
        REDIS_SENTINEL_PASSWORD: 'sp',
        REDIS_TLS: 'true',
      }).redis;
      expect(sentinel).toMatchObject({
        sentinels: ['s1:26379', 's2:26379'],
        sentinelName: 'main',
        password: 'p',
        sentinelPassword: 'sp',
        tls: true,
      });
      expect(load({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' }).redis.clusterNodes).toEqual([
        'n1:7000',
        'n2:7001',
      ]);
    });

    it('refuses more than one topology, naming both variables', () => {
      expect(() => load({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'n1:7000' })).toThrow(
        /REDIS_CLUSTER_NODES \(redis\.clusterNodes\): REDIS_URL \(redis\.url\) is set too/,
      );
      expect(() =>
        load({
          REDIS_SENTINELS: 's1:26379',
          REDIS_SENTINEL_NAME: 'm',
          REDIS_CLUSTER_NODES: 'n1:7000',
        }),
      ).toThrow(
        /REDIS_CLUSTER_NODES \(redis\.clusterNodes\): REDIS_SENTINELS \(redis\.sentinels\) is set too/,
      );
    });

    it('refuses Sentinel without the master name, and addresses without a port', () => {
      expect(() => load({ REDIS_SENTINELS: 's1:26379' })).toThrow(
        /REDIS_SENTINEL_NAME \(redis\.sentinelName\): required with REDIS_SENTINELS/,
      );
      expect(() => load({ REDIS_CLUSTER_NODES: 'n1' })).toThrow(
        /REDIS_CLUSTER_NODES \(redis\.clusterNodes\.0\): host:port/,
      );
    });

    it('refuses a Redis password in a configuration file', () => {
      const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
      writeFileSync(join(dir, 'default.json'), JSON.stringify({ redis: { password: 'x' } }));
      expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(
        /redis\.password: holds a secret; set it with the REDIS_PASSWORD environment variable/,
      );
    });

    it('names the new key of a file that still sets bus.redisUrl', () => {
      const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
      writeFileSync(
        join(dir, 'default.json'),
        JSON.stringify({ bus: { redisUrl: 'redis://r:6379', prot: 1 } }),
      );
      // With a misspelt key beside it, the issue stays the plain unknown-keys one.
      expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(/bus: Unrecognized keys/);
      writeFileSync(
        join(dir, 'default.json'),
        JSON.stringify({ bus: { redisUrl: 'redis://r:6379' } }),
      );
      expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(
        /bus\.redisUrl: this key moved to redis\.url; rename it in the configuration file/,
      );
    });
  });

  it('names a bad key of a configuration file and refuses unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
    writeFileSync(join(dir, 'default.json'), JSON.stringify({ http: { port: 'x' } }));
    expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(/PORT \(http\.port\)/);
    // A misspelt key is an error, not a silently ignored setting.
    expect(() =>
      loadConfig({ env: {}, configDir, overrides: { http: { prot: 1 } } as never }),
    ).toThrow(/http: .*prot/);
    expect(() =>
      loadConfig({
        env: {},
        configDir,
        overrides: { bus: { retention: { maxLength: 1, maxAgeMs: 1 } } },
      }),
    ).toThrow(/bus\.retention: set maxLength or maxAgeMs, not both/);
  });

  describe('importFlow.extract.maxBacklog', () => {
    const withRetention = (
      maxBacklog: number,
      bus: { retention?: { maxLength?: number; maxAgeMs?: number }; streams?: object },
      env: Record<string, string> = {},
    ) =>
      loadConfig({
        env: { NODE_ENV: 'development', ...env },
        configDir,
        overrides: { importFlow: { extract: { maxBacklog } }, bus } as never,
      });

    it('defaults below the default retention, and is set by IMPORT_EXTRACT_MAX_BACKLOG', () => {
      expect(load({}).importFlow.extract.maxBacklog).toBe(50000);
      expect(load({ IMPORT_EXTRACT_MAX_BACKLOG: '1200' }).importFlow.extract.maxBacklog).toBe(1200);
      expect(() => load({ IMPORT_EXTRACT_MAX_BACKLOG: 'lots' })).toThrow(
        /IMPORT_EXTRACT_MAX_BACKLOG: expected an integer, got 'lots'/,
      );
    });

    it('must be below the retention of record.extracted, or unread records would be trimmed', () => {
      expect(
        withRetention(999, { retention: { maxLength: 1000 } }).importFlow.extract,
      ).toMatchObject({ maxBacklog: 999 });
      for (const maxBacklog of [1000, 5000]) {
        expect(() => withRetention(maxBacklog, { retention: { maxLength: 1000 } })).toThrow(
          ConfigError,
        );
        expect(() => withRetention(maxBacklog, { retention: { maxLength: 1000 } })).toThrow(
          /- IMPORT_EXTRACT_MAX_BACKLOG \(importFlow\.extract\.maxBacklog\): must be below the record\.extracted stream's retention \(maxLength 1000\)/,
        );
      }
      // config/development.json keeps 100000 events per stream.
      expect(() => load({ IMPORT_EXTRACT_MAX_BACKLOG: '100000' })).toThrow(
        /IMPORT_EXTRACT_MAX_BACKLOG \(importFlow\.extract\.maxBacklog\): .*maxLength 100000\)/,
      );
    });

    it("checks the record.extracted stream's own retention when it has one", () => {
      // Its own retention is shorter than maxBacklog: refused, whatever the global one.
      expect(() =>
        withRetention(50000, {
          retention: { maxLength: 1_000_000 },
          streams: { 'record.extracted': { maxLength: 20000 } },
        }),
      ).toThrow(/importFlow\.extract\.maxBacklog\): .*maxLength 20000/);
      // Its own retention is longer: accepted, though the global one is shorter.
      expect(
        withRetention(50000, {
          retention: { maxLength: 1000 },
          streams: { 'record.extracted': { maxLength: 100_000 } },
        }).importFlow.extract.maxBacklog,
      ).toBe(50000);
      // Trimmed by age, not length: there is no length to compare with.
      expect(
        withRetention(50000, {
          retention: { maxLength: 1000 },
          streams: { 'record.extracted': { maxAgeMs: 86_400_000 } },
        }).importFlow.extract.maxBacklog,
      ).toBe(50000);
      // Another event's retention is not the one that matters.
      expect(() =>
        withRetention(50000, {
          retention: { maxLength: 1000 },
          streams: { 'record.reprocess': { maxLength: 100_000 } },
        }),
      ).toThrow(/maxLength 1000\b/);
    });
  });

  it('says which file is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-config-'));
    writeFileSync(join(dir, 'default.json'), '{ nope');
    expect(() => loadConfig({ env: {}, configDir: dir })).toThrow(
      /default\.json is not valid JSON/,
    );
  });
});
