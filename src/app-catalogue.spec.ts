import { Module } from '@nestjs/common';
import type { MigrationInterface } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { appMigrations } from './app-migrations.js';
import { appConfig } from './config/app-config.js';
import { integrations } from './integrations/index.js';
import { migrationName } from './platform/persistence/index.js';
import {
  defineIntegration,
  definePipeline,
  pipelinesOf,
  type PipelineEntry,
} from './platform/pipeline/index.js';

/**
 * The migrations operators' databases already ran, in the order they ran: the migrations table
 * keys on these names, so moving a migration to its pipeline's folder must leave the list as it
 * is. A new migration is appended, with a later timestamp.
 */
const RAN_ALREADY = [
  'CreateErrorRecords1764150000000',
  'CreatePurchaseFlow1764160000000',
  'SeedPurchaseFlowDemo1764160000001',
  'CreateErrorAlertWindows1764160000002',
  'CreateObjectStore1764160000003',
  'CreateImportFlow1764170000000',
  'CreateSampleSource1764170000001',
  'CreateAdminAudit1764180000000',
  'DropImportRecordsStateIndex1764190000000',
  'IndexIdempotencyKeysByAge1764200000000',
  'AddPurchaseOutbox1764210000000',
  'AddErrorRecordSubject1764220000000',
  'CreateHandledKeys1764230000000',
];

/** Migrations added since, each after the ones above. */
const ADDED = [
  'CreateLoyaltyPoints1764240000000',
  'AddTraceContext1764250000000',
  'AddPurchaseTraceContext1764250000001',
  'IndexHandledKeysByAge1764260000000',
];

class Same1764999999999 implements MigrationInterface {
  async up(): Promise<void> {}
  async down(): Promise<void> {}
}

function fixture(name: string, migrations: (new () => MigrationInterface)[] = []): PipelineEntry {
  @Module({})
  class FixtureModule {}
  return {
    pipeline: definePipeline({ name, role: 'subscriber', description: name, migrations }),
    module: FixtureModule,
  };
}

describe('the catalogue the application composes', () => {
  it('runs the same migrations in the same order, wherever their files moved', () => {
    expect(appMigrations(integrations).map(migrationName)).toEqual([...RAN_ALREADY, ...ADDED]);
  });

  it("has every integration's settings, its kernel's and its pipelines'", () => {
    const keys = appConfig.map((fragment) => fragment.key);
    for (const key of [
      'purchaseFlow',
      'purchaseFlow.notificationService',
      'errorTreatment',
      'importFlow',
      'importFlow.reprocess',
      'importFlow.extract',
      'importFlow.target',
      'importFlow.errorHandling',
      'purchaseFlow.loyaltyPoints',
    ]) {
      expect(keys).toContain(key);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('refuses two migrations of one name, naming it', () => {
    // Another class of the same name as one that ran: its table would never be created.
    const impostor = { CreateHandledKeys1764230000000: class {} }
      .CreateHandledKeys1764230000000 as unknown as new () => MigrationInterface;
    const integration = defineIntegration({
      name: 'twice',
      description: 'a migration named like the platform one',
      pipelines: [fixture('first', [impostor])],
    });
    expect(() => appMigrations([...integrations, integration])).toThrow(
      "two migrations are named 'CreateHandledKeys1764230000000'",
    );
    const listedTwice = defineIntegration({
      name: 'listed-twice',
      description: 'the same migration in its kernel and its pipeline',
      pipelines: [fixture('first', [Same1764999999999])],
      migrations: [Same1764999999999],
    });
    expect(() => appMigrations([listedTwice])).toThrow(
      "two migrations are named 'Same1764999999999'",
    );
  });

  it('refuses a pipeline listed twice, in one integration or in two, naming it', () => {
    const entry = fixture('loyal');
    expect(() =>
      defineIntegration({ name: 'one', description: 'twice', pipelines: [entry, entry] }),
    ).toThrow("a pipeline is listed more than once: 'loyal' (in 'one' twice)");
    const one = defineIntegration({ name: 'one', description: 'once', pipelines: [entry] });
    const other = defineIntegration({
      name: 'other',
      description: 'the same name',
      pipelines: [fixture('loyal')],
    });
    expect(() => pipelinesOf([one, other])).toThrow("'loyal' (in 'one' and 'other')");
    expect(() => appMigrations([one, other])).toThrow("'loyal' (in 'one' and 'other')");
  });
});
