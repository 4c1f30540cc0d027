import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ObjectStoreEntry } from './object-store-entry.entity.js';
import { ObjectStoreDiscards } from './object-store-discards.js';
import { ObjectStorePurge } from './object-store-purge.js';
import { ObjectStore } from './object-store.js';

/**
 * The Object Store, for any pipeline that keeps inputs it failed on. One instance however
 * many modules import it: a listener a pipeline registers in {@link ObjectStoreDiscards} is
 * the one the admin notifies, and one {@link ObjectStorePurge} runs per process.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ObjectStoreEntry])],
  providers: [ObjectStore, ObjectStoreDiscards, ObjectStorePurge],
  exports: [ObjectStore, ObjectStoreDiscards],
})
export class ObjectStoreModule {}
