import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ObjectStoreEntry } from './object-store-entry.entity.js';
import { ObjectStoreDiscards } from './object-store-discards.js';
import { ObjectStoreOperations } from './object-store-operations.js';
import { ObjectStorePurge } from './object-store-purge.js';
import { ObjectStore } from './object-store.js';

/**
 * The Object Store, for any pipeline that keeps inputs it failed on ({@link ObjectStore}) and
 * for the operators who review them ({@link ObjectStoreOperations}). One instance however
 * many modules import it: a listener a pipeline registers in {@link ObjectStoreDiscards} is
 * the one an operator's discard tells, and one {@link ObjectStorePurge} runs per process.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ObjectStoreEntry])],
  providers: [ObjectStore, ObjectStoreOperations, ObjectStoreDiscards, ObjectStorePurge],
  exports: [ObjectStore, ObjectStoreOperations, ObjectStoreDiscards],
})
export class ObjectStoreModule {}
