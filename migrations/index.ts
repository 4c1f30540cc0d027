import type { MigrationInterface } from 'typeorm';
import { CreateErrorRecords1764150000000 } from './1764150000000-create-error-records.js';
import { CreatePurchaseFlow1764160000000 } from './1764160000000-create-purchase-flow.js';
import { SeedPurchaseFlowDemo1764160000001 } from './1764160000001-seed-purchase-flow-demo.js';
import { CreateErrorAlertWindows1764160000002 } from './1764160000002-create-error-alert-windows.js';
import { CreateObjectStore1764160000003 } from './1764160000003-create-object-store.js';
import { CreateImportFlow1764170000000 } from './1764170000000-create-import-flow.js';
import { CreateSampleSource1764170000001 } from './1764170000001-create-sample-source.js';
import { CreateAdminAudit1764180000000 } from './1764180000000-create-admin-audit.js';
import { DropImportRecordsStateIndex1764190000000 } from './1764190000000-drop-import-records-state-index.js';
import { IndexIdempotencyKeysByAge1764200000000 } from './1764200000000-index-idempotency-keys-by-age.js';
import { AddPurchaseOutbox1764210000000 } from './1764210000000-add-purchase-outbox.js';
import { AddErrorRecordSubject1764220000000 } from './1764220000000-add-error-record-subject.js';

/**
 * Every migration, in order. Listed here rather than found by a glob so that the app, the
 * CLI and the tests load the same ones whether they run compiled or from source.
 */
export const migrations: (new () => MigrationInterface)[] = [
  CreateErrorRecords1764150000000,
  CreatePurchaseFlow1764160000000,
  SeedPurchaseFlowDemo1764160000001,
  CreateErrorAlertWindows1764160000002,
  CreateObjectStore1764160000003,
  CreateImportFlow1764170000000,
  CreateSampleSource1764170000001,
  CreateAdminAudit1764180000000,
  DropImportRecordsStateIndex1764190000000,
  IndexIdempotencyKeysByAge1764200000000,
  AddPurchaseOutbox1764210000000,
  AddErrorRecordSubject1764220000000,
];
