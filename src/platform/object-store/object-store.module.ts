import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OBJECT_STORE_OPTIONS } from './constants.js';
import type { ObjectStoreConfig } from './object-store.config.js';
import { ObjectStoreEntry } from './object-store-entry.entity.js';
import { ObjectStoreDiscards } from './object-store-discards.js';
import { ObjectStoreOperations } from './object-store-operations.js';
import { ObjectStorePurge } from './object-store-purge.js';
import { ObjectStore } from './object-store.js';

const exported = [ObjectStore, ObjectStoreOperations, ObjectStoreDiscards];

/**
 * The Object Store, for any pipeline that keeps inputs it failed on ({@link ObjectStore}) and
 * for the operators who review them ({@link ObjectStoreOperations}). Configured once by the
 * application and global, so one instance serves every module: a listener a pipeline registers
 * in {@link ObjectStoreDiscards} is the one an operator's discard tells, and one
 * {@link ObjectStorePurge} runs per process.
 */
@Module({})
export class ObjectStoreModule {
  static forRoot(options: ObjectStoreConfig): DynamicModule {
    return {
      module: ObjectStoreModule,
      global: true,
      imports: [TypeOrmModule.forFeature([ObjectStoreEntry])],
      providers: [
        { provide: OBJECT_STORE_OPTIONS, useValue: options },
        ...exported,
        ObjectStorePurge,
      ],
      exports: exported,
    };
  }
}
