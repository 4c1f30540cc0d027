import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BackgroundWrites } from '../../../platform/persistence/index.js';
import { DiscardedRecords } from './discarded-records.js';
import { ImportRecord } from './import-record.entity.js';
import { Import } from './import.entity.js';
import { Imports } from './imports.js';
import { ImportsAdminController } from './imports-admin.controller.js';
import { RecordStates } from './record-states.js';

const entities = [Import, ImportRecord];
const bookkeeping = [Imports, RecordStates, BackgroundWrites];

/**
 * What the four pipelines of the import flow share: imports and record states; and the flow's
 * admin routes, served by every process that runs one of its pipelines.
 */
@Module({
  imports: [TypeOrmModule.forFeature(entities)],
  controllers: [ImportsAdminController],
  providers: [...bookkeeping, DiscardedRecords],
  exports: bookkeeping,
})
export class ImportFlowModule {}
