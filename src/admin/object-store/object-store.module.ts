import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ObjectStoreAdmin } from './object-store-admin.js';
import { ObjectStoreController } from './object-store.controller.js';

/** Object Store entries: list, inspect, reprocess (edited or not), discard, one or in bulk. */
@Module({
  // The platform's Object Store (global) owns the entries: the admin maps HTTP to its operations.
  imports: [AuditModule],
  controllers: [ObjectStoreController],
  providers: [ObjectStoreAdmin],
})
export class AdminObjectStoreModule {}
