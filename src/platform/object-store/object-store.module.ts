import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ObjectStoreEntry } from './object-store-entry.entity.js';
import { ObjectStore } from './object-store.js';

/** The Object Store, for any pipeline that keeps inputs it failed on. */
@Module({
  imports: [TypeOrmModule.forFeature([ObjectStoreEntry])],
  providers: [ObjectStore],
  exports: [ObjectStore],
})
export class ObjectStoreModule {}
