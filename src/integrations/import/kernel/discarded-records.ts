import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ObjectStoreDiscards } from '../../../platform/object-store/index.js';
import { RecordStates } from './record-states.js';
import { IMPORT_RECORDS_STORE, parseStoredRecordKey } from './stored-record.js';

/**
 * Records an operator discarded in the Object Store (admin API) are given up on: dead in
 * their import, which can then complete. Should this fail, so does the operator's call, who
 * may discard the (now dead) entry again to be told again.
 */
@Injectable()
export class DiscardedRecords implements OnModuleInit {
  constructor(
    private readonly discards: ObjectStoreDiscards,
    private readonly states: RecordStates,
  ) {}

  onModuleInit(): void {
    this.discards.onDiscard(IMPORT_RECORDS_STORE, (keys) =>
      this.states.markAllDead(keys.flatMap((k) => parseStoredRecordKey(k) ?? [])),
    );
  }
}
