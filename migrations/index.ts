import type { Migration } from '../src/platform/persistence/index.js';
import { CreateErrorRecords1764150000000 } from './1764150000000-create-error-records.js';
import { CreateErrorAlertWindows1764160000002 } from './1764160000002-create-error-alert-windows.js';
import { CreateObjectStore1764160000003 } from './1764160000003-create-object-store.js';
import { CreateAdminAudit1764180000000 } from './1764180000000-create-admin-audit.js';
import { AddErrorRecordSubject1764220000000 } from './1764220000000-add-error-record-subject.js';
import { CreateHandledKeys1764230000000 } from './1764230000000-create-handled-keys.js';
import { AddTraceContext1764250000000 } from './1764250000000-add-trace-context.js';
import { IndexHandledKeysByAge1764260000000 } from './1764260000000-index-handled-keys-by-age.js';

/**
 * The platform's own migrations (error records, the Object Store, the admin audit, the marks
 * of idempotent subscribers and their index by age, the trace context kept with entries and records). The
 * application adds every integration's; TypeORM runs them all in timestamp order. Listed rather
 * than found by a glob so that the app, the CLI and the tests load the same ones whether they
 * run compiled or from source.
 */
export const platformMigrations: Migration[] = [
  CreateErrorRecords1764150000000,
  CreateErrorAlertWindows1764160000002,
  CreateObjectStore1764160000003,
  CreateAdminAudit1764180000000,
  AddErrorRecordSubject1764220000000,
  CreateHandledKeys1764230000000,
  AddTraceContext1764250000000,
  IndexHandledKeysByAge1764260000000,
];
