import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectConfig } from '../../../../platform/config/index.js';
import { type ExtractConfig, extractConfig } from './extract.config.js';
import type { PipelineError } from '../../../../platform/error-store/index.js';
import { InjectPublisher, type Publisher } from '../../../../platform/event-bus/index.js';
import type { Import } from '../../kernel/import.entity.js';
import { Imports } from '../../kernel/imports.js';
import { type ExtractedRecord, importError, recordExtracted } from '../../kernel/record-events.js';
import { RecordStates } from '../../kernel/record-states.js';
import { extractPipeline } from './extract.pipeline.js';
import {
  ExtractionError,
  type SourceCursor,
  type SourcePage,
  type SourceReader,
} from './sources/source-reader.js';
import { inSpan } from '../../../../platform/tracing/index.js';
import { SourceReaders } from './sources/source-readers.js';

/** How often a held-up extraction asks the bus whether the process pipeline caught up. */
const BACKLOG_POLL_MS = 50;

/** Waits for a step still in flight, whatever its outcome (its error is dealt with elsewhere). */
const settled = async (step: Promise<unknown> | undefined): Promise<void> => {
  await step?.catch(() => undefined);
};

/** A page of the source on its way: read, then its record states written. */
interface PageAhead {
  page: Promise<SourcePage>;
  states: Promise<void>;
}

export interface ImportTrigger {
  triggeredBy: Import['triggeredBy'];
  /** Scheduled imports: the same key from several replicas makes one import. */
  triggerKey?: string;
  correlationId: string;
}

/**
 * Pipeline 1's work: reads the source page by page and publishes one `record.extracted` per
 * record. Each page's record states are written before its events, and at most the next page
 * is read ahead of the one being published (memory stays at two pages). The cursor and lease
 * move after each page, so a dead process's extraction resumes where it stopped (at most one
 * page before). A failure marks the extraction failed and publishes `import.error`.
 */
@Injectable()
export class Extraction implements OnModuleDestroy {
  private readonly logger = new Logger('Extraction');
  private readonly runs = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    @InjectConfig(extractConfig) private readonly settings: ExtractConfig,
    private readonly imports: Imports,
    private readonly states: RecordStates,
    private readonly readers: SourceReaders,
    @InjectPublisher(recordExtracted) private readonly extracted: Publisher<ExtractedRecord>,
    @InjectPublisher(importError) private readonly errors: Publisher<PipelineError>,
  ) {}

  /** Creates the import and starts extracting in the background; null when not started (shutdown, or a replica's scheduled twin). */
  async start(source: string, trigger: ImportTrigger): Promise<Import | null> {
    if (this.stopping) return null;
    const owner = randomUUID();
    const created = await this.imports.create({
      source,
      ...trigger,
      owner,
      leaseMs: this.settings.leaseMs,
    });
    if (!created) return null;
    this.launch(created, owner);
    return created;
  }

  /** Runs (or resumes) the extraction of an import whose lease `owner` holds. */
  launch(found: Import, owner: string): void {
    if (this.runs.has(found.id) || this.stopping) return;
    // The extraction is one trace (continuing the request or schedule that started it); each
    // record's event starts a trace of its own, linked to it.
    const run = inSpan(
      'import extract',
      { attributes: { 'tributary.import.id': found.id, 'tributary.import.source': found.source } },
      () => this.run(found, owner),
    ).finally(() => this.runs.delete(found.id));
    this.runs.set(found.id, run);
  }

  isRunning(importId: string): boolean {
    return this.runs.has(importId);
  }

  /** Stops between pages and hands the leases back, before the bus and the database close. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.runs.values());
  }

  private async run(found: Import, owner: string): Promise<void> {
    const { leaseMs } = this.settings;
    let cursor: SourceCursor = found.cursor;
    // The cursor move of the page published last, still on its way to the database.
    let advanced: Promise<boolean> = Promise.resolve(true);
    // The page being published and the page read ahead, each with its record states.
    let current: PageAhead | null = null;
    let ahead: PageAhead | null = null;
    try {
      const source = this.readers.source(found.source);
      if (!source)
        throw new ExtractionError(
          `no source named '${found.source}' is configured`,
          'source-unknown',
        );
      const reader = await this.readers.reader(found.source);
      ahead = this.readAhead(found.id, reader, cursor, source.pageSize);
      // The last page returns from inside the loop; `ahead` is null only after it.
      while (ahead) {
        const turn: PageAhead = (current = ahead);
        const page = await turn.page;
        if (this.stopping) {
          await settled(turn.states);
          if (await advanced) await this.imports.release(found.id, owner);
          return;
        }
        // Three stages run side by side, each a round trip of its own: the next page is read
        // and its states written, this page's events are published, the previous page's
        // cursor is committed. A page's states are written before its events; a cursor only
        // moves past published events.
        ahead =
          page.next === null ? null : this.readAhead(found.id, reader, page.next, source.pageSize);
        await turn.states;
        let records = page.records;
        if (found.replay) {
          // Events of a bus that keeps nothing across restarts: publish only those never processed.
          const open = await this.states.stillExtracted(
            found.id,
            records.map((r) => r.key),
          );
          records = records.filter((r) => open.has(r.key));
        }
        if (!(await this.waitForRoom(found, owner, cursor))) return this.leaseLost(found, ahead);
        await Promise.all(
          records.map((r) =>
            this.extracted.publish(
              { importId: found.id, source: found.source, key: r.key, data: r.data },
              { correlationId: found.correlationId, newTrace: true },
            ),
          ),
        );
        if (!(await advanced)) return this.leaseLost(found, ahead);
        if (page.next === null) {
          await this.imports.finishExtraction(found.id, owner);
          return;
        }
        cursor = page.next;
        // Committed while the next page is published: a crash before it lands publishes this
        // page once more on resume, which the process pipeline takes in its stride
        // (idempotent target writes, guarded state changes).
        advanced = this.imports.advance(found.id, owner, cursor, leaseMs);
        advanced.catch(() => undefined); // awaited at the next page
      }
    } catch (error) {
      // Nothing of this run may still be writing when the lease is handed back or failed.
      await Promise.all([advanced, current?.states, ahead?.states].map((step) => settled(step)));
      if (this.stopping) {
        await this.imports.release(found.id, owner).catch(() => undefined);
        return;
      }
      await this.fail(found, owner, cursor, error);
    }
  }

  /**
   * Reads a page and writes its record states, while the page before is published. Either may
   * fail: the failure surfaces when the page's turn comes.
   */
  private readAhead(
    importId: string,
    reader: SourceReader,
    cursor: SourceCursor,
    pageSize: number,
  ): PageAhead {
    const page = reader.read(cursor, pageSize);
    const states = page.then((p) =>
      this.states.insertExtracted(
        importId,
        p.records.map((r) => r.key),
      ),
    );
    page.catch(() => undefined);
    states.catch(() => undefined);
    return { page, states };
  }

  /** Another process took the extraction over: it stops here, once the page read ahead is written. */
  private async leaseLost(found: Import, ahead: PageAhead | null): Promise<void> {
    this.logger.warn(`import ${found.id}: extraction lease lost to another process; stopping here`);
    await settled(ahead?.states);
  }

  /**
   * Backpressure: waits while the process pipeline has more than `maxBacklog` extracted
   * records to finish. A source read faster than it is processed then never piles up in Redis
   * (memory stays flat whatever its size), and retention never trims a record nobody read.
   * The lease is renewed meanwhile (a paused process pipeline may hold it up for long);
   * resolves false if it was lost.
   */
  private async waitForRoom(found: Import, owner: string, cursor: SourceCursor): Promise<boolean> {
    const { maxBacklog, leaseMs } = this.settings;
    let renewed = Date.now();
    while (!this.stopping && (await this.extracted.backlog()) > maxBacklog) {
      await new Promise((resolve) => setTimeout(resolve, BACKLOG_POLL_MS));
      if (Date.now() - renewed > leaseMs / 3) {
        if (!(await this.imports.advance(found.id, owner, cursor, leaseMs))) return false;
        renewed = Date.now();
      }
    }
    return true;
  }

  private async fail(
    found: Import,
    owner: string,
    cursor: SourceCursor,
    error: unknown,
  ): Promise<void> {
    const message = (error as Error).message ?? String(error);
    const code = error instanceof ExtractionError ? error.code : 'extraction-failed';
    this.logger.error(`import ${found.id} (${found.source}): extraction failed: ${message}`);
    try {
      await this.imports.failExtraction(found.id, owner, message);
      await this.errors.publish(
        {
          pipeline: extractPipeline.name,
          code,
          message: `extraction of source '${found.source}' failed: ${message}`,
          correlationId: found.correlationId,
          retriable: code !== 'source-unknown',
          occurredAt: new Date().toISOString(),
          context: { importId: found.id, source: found.source, cursor },
        },
        { correlationId: found.correlationId },
      );
    } catch (reportError) {
      this.logger.error(
        `import ${found.id}: could not report the extraction failure: ${(reportError as Error).message}`,
      );
    }
  }
}
