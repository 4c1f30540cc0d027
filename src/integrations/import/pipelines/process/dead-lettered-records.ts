import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { BusObservers, type DeadLetter } from '../../../../platform/event-bus/index.js';
import { BackgroundWrites } from '../../../../platform/persistence/index.js';
import { recordExtracted, recordReprocess } from '../../kernel/record-events.js';
import { type RecordRef, RecordStates } from '../../kernel/record-states.js';
import { processPipeline } from './process.pipeline.js';

const RECORD_EVENTS = new Set([recordExtracted.name, recordReprocess.name]);

/**
 * Hears from the bus of every `record.extracted` or `record.reprocess` the process pipeline
 * dead-lettered (in this process: the transport that wrote the letter tells its observers),
 * and counts its record dead-lettered, so that its import shows it dead, not pending for
 * ever, and can complete. Replaying the dead letter processes the record again. The letters
 * of one event-loop turn (a failed batch) are counted with one statement per import, in the
 * background until the database takes it.
 */
@Injectable()
export class DeadLetteredRecords implements OnModuleInit {
  private readonly logger = new Logger('DeadLetteredRecords');
  private heard: RecordRef[] = [];

  constructor(
    private readonly observers: BusObservers,
    private readonly states: RecordStates,
    private readonly writes: BackgroundWrites,
  ) {}

  onModuleInit(): void {
    this.observers.add({ deadLettered: (letter) => this.hear(letter) });
  }

  private hear(letter: Omit<DeadLetter, 'id'>): void {
    if (letter.pipeline !== processPipeline.name || !RECORD_EVENTS.has(letter.event)) return;
    const record = recordOf(letter.envelope);
    if (!record) {
      this.logger.warn(
        `a dead-lettered ${letter.event} names no import record (${letter.reason}): no import counts it`,
      );
      return;
    }
    if (this.heard.push(record) === 1) setImmediate(() => this.count());
  }

  private count(): void {
    const records = this.heard;
    this.heard = [];
    void this.writes.keep(
      `${records.length} import record(s) whose event was dead-lettered: counting them dead`,
      () => this.states.markDeadLettered(records),
    );
  }
}

/** The import record an envelope's payload names, if it names one. */
function recordOf(envelope: DeadLetter['envelope']): RecordRef | null {
  if (typeof envelope === 'string') return null;
  const payload = envelope.payload as { importId?: unknown; key?: unknown } | null;
  const { importId, key } = payload ?? {};
  return typeof importId === 'string' && typeof key === 'string' && importId && key
    ? { importId, key }
    : null;
}
