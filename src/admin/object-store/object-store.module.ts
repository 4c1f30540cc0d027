import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ObjectStoreEntry } from '../../platform/object-store/object-store-entry.entity.js';
import { AuditModule } from '../audit/audit.module.js';
import { ObjectStoreAdmin } from './object-store-admin.js';
import { ObjectStoreController } from './object-store.controller.js';

/** Object Store entries: list, inspect, reprocess (edited or not), discard, one or in bulk. */
@Module({
  imports: [TypeOrmModule.forFeature([ObjectStoreEntry]), AuditModule],
  controllers: [ObjectStoreController],
  providers: [ObjectStoreAdmin],
})
export class AdminObjectStoreModule {}
