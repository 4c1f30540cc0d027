import { MAX_RECORD_KEY } from '../../../kernel/record-events.js';
import {
  ExtractionError,
  type SourceCursor,
  type SourcePage,
  type SourceReader,
} from './source-reader.js';

export interface HttpSourceOptions {
  url: string;
  keyField: string;
  itemsField: string;
  nextCursorField: string;
  cursorParam: string;
  limitParam: string;
  token?: string;
  timeoutMs: number;
}

/**
 * Reads a paginated JSON API: `GET url?limit=n[&cursor=c]` answering
 * `{ items: [...], nextCursor: c | null }` (field and parameter names configurable).
 */
export class HttpSourceReader implements SourceReader {
  constructor(private readonly options: HttpSourceOptions) {}

  async read(after: SourceCursor, pageSize: number): Promise<SourcePage> {
    const o = this.options;
    const url = new URL(o.url);
    url.searchParams.set(o.limitParam, String(pageSize));
    if (after !== null) url.searchParams.set(o.cursorParam, String(after));
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          accept: 'application/json',
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        },
        signal: AbortSignal.timeout(o.timeoutMs),
      });
    } catch (error) {
      throw new ExtractionError(
        `source did not answer: ${(error as Error).message}`,
        'source-unavailable',
      );
    }
    if (!response.ok) {
      throw new ExtractionError(`source answered HTTP ${response.status}`, 'source-http-error');
    }
    // An answer that is not JSON is refused just below, as one without the items array.
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null;
    const items = body?.[o.itemsField];
    if (!Array.isArray(items)) {
      throw new ExtractionError(
        `source answer has no '${o.itemsField}' array`,
        'source-bad-response',
      );
    }
    const records = items.map((item: unknown) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new ExtractionError('source item is not a JSON object', 'source-bad-response');
      }
      const value = (item as Record<string, unknown>)[o.keyField];
      if (
        value === null ||
        value === undefined ||
        String(value).length === 0 ||
        String(value).length > MAX_RECORD_KEY
      ) {
        throw new ExtractionError(
          `source item has no usable '${o.keyField}'`,
          'source-key-missing',
        );
      }
      return { key: String(value), data: item as Record<string, unknown> };
    });
    const next = body?.[o.nextCursorField];
    return { records, next: typeof next === 'string' || typeof next === 'number' ? next : null };
  }
}
