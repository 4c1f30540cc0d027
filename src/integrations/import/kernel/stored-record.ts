/** The Object Store of the import flow: records the process pipeline failed on. */
export const IMPORT_RECORDS_STORE = 'import-records';

/** What the process pipeline keeps of a failed record: enough to publish it again. */
export interface StoredRecord {
  importId: string;
  source: string;
  key: string;
  data: Record<string, unknown>;
  correlationId: string;
}

/** Object Store key of a record: unique per import. */
export const storedRecordKey = (importId: string, key: string): string => `${importId}/${key}`;

/** The record a key of {@link storedRecordKey} names; the import id, a UUID, holds no '/'. */
export function parseStoredRecordKey(storeKey: string): { importId: string; key: string } | null {
  const slash = storeKey.indexOf('/');
  if (slash <= 0 || slash === storeKey.length - 1) return null;
  return { importId: storeKey.slice(0, slash), key: storeKey.slice(slash + 1) };
}
