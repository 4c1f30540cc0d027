import { describe, expect, it } from 'vitest';
import { parseStoredRecordKey, storedRecordKey } from './stored-record.js';

describe('parseStoredRecordKey', () => {
  const importId = '6f1c2d3e-0000-4000-8000-000000000001';

  it('reads back the import and the record key, a key holding slashes included', () => {
    for (const key of ['72', 'a/b/c'])
      expect(parseStoredRecordKey(storedRecordKey(importId, key))).toEqual({ importId, key });
  });

  it('reads nothing from a key not made by storedRecordKey', () => {
    for (const bad of ['no-slash', '/72', `${importId}/`])
      expect(parseStoredRecordKey(bad)).toBe(null);
  });
});
