import type { MigrationInterface } from 'typeorm';
import { CreateErrorRecords1764150000000 } from './1764150000000-create-error-records.js';
import { CreateObjectStore1764160000000 } from './1764160000000-create-object-store.js';
import { CreateImportFlow1764170000000 } from './1764170000000-create-import-flow.js';
import { CreateSampleSource1764170000001 } from './1764170000001-create-sample-source.js';

/**
 * Every migration, in order. Listed here rather than found by a glob so that the app, the
 * CLI and the tests load the same ones whether they run compiled or from source.
 */
export const migrations: (new () => MigrationInterface)[] = [
  CreateErrorRecords1764150000000,
  CreateObjectStore1764160000000,
  CreateImportFlow1764170000000,
  CreateSampleSource1764170000001,
];
