import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ObjectStoreEntry } from '../../platform/object-store/object-store-entry.entity.js';
import { ObjectStoreModule } from '../../platform/object-store/object-store.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ObjectStoreAdmin } from './object-store-admin.js';
import { ObjectStoreController } from './object-store.controller.js';

/** Object Store entries: list, inspect, reprocess (edited or not), discard, one or in bulk. */
@Module({
  // The platform module too, so the Object Store exists even where no pipeline uses it.
  imports: [TypeOrmModule.forFeature([ObjectStoreEntry]), ObjectStoreModule, AuditModule],
  controllers: [ObjectStoreController],
  providers: [ObjectStoreAdmin],
})
export class AdminObjectStoreModule {}
