/** A keyset position in a source: the last key read (SQL) or the API's next-page cursor (HTTP). */
export type SourceCursor = string | number | null;

export interface SourceRecord {
  key: string;
  data: Record<string, unknown>;
}

export interface SourcePage {
  records: SourceRecord[];
  /** Where the next page starts; null when this was the last page. */
  next: SourceCursor;
}

/** Reads a configured source one page at a time, so that memory stays flat whatever its size. */
export interface SourceReader {
  read(after: SourceCursor, pageSize: number): Promise<SourcePage>;
}

/** The source could not be read (or answered something that is not records). */
export class ExtractionError extends Error {
  override readonly name = 'ExtractionError';

  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}
