import type { MigrationInterface } from 'typeorm';
import { CreateErrorRecords1764150000000 } from './1764150000000-create-error-records.js';
import { CreateAdminAudit1764160000000 } from './1764160000000-create-admin-audit.js';

/**
 * Every migration, in order. Listed here rather than found by a glob so that the app, the
 * CLI and the tests load the same ones whether they run compiled or from source.
 */
export const migrations: (new () => MigrationInterface)[] = [
  CreateErrorRecords1764150000000,
  CreateAdminAudit1764160000000,
];
